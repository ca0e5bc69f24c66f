// Type-level checks of the generated React adapter, compiled with it under tsc --strict: what a
// component author writes, and what the compiler must refuse (each @ts-expect-error fails the
// build if its line ever compiles).

import { createElement } from "react";
import type { ReactElement } from "react";
import { isBooksGetBookError, isBooksUpdateBookError } from "./index.js";
import { useGetBook, useGetCart, useListBooks, useMizan, useMizanMutation, useUpdateBook } from "./react.js";

export function BookTitle(props: { id: number }): ReactElement {
  const book = useGetBook({ id: props.id });
  if (book.error !== undefined && isBooksGetBookError(book.error)) {
    // Narrowed to the client's declared error.
    const status: 404 = book.error.status;
    const code: "not_found" = book.error.code;
    return createElement("p", null, `${status} ${code}`);
  }
  const title: string | undefined = book.data?.title;
  return createElement("p", null, title ?? "loading");
}

export function Checks(): null {
  const page = useListBooks();
  const total: number | undefined = page.data?.total;
  const cart = useGetCart({ enabled: total !== undefined });
  void cart.refetch();
  const update = useUpdateBook();
  if (update.status === "error" && isBooksUpdateBookError(update.error)) {
    const fields: readonly string[] | undefined = update.error.fields["title"];
    void fields;
  }
  // @ts-expect-error: id is a number
  useGetBook({ id: "1" });
  // @ts-expect-error: a mutation is not a query
  useMizan("books.update_book", { id: 1 });
  // @ts-expect-error: a query is not a mutation
  useMizanMutation("books.get_book");
  // @ts-expect-error: title is a string
  update.mutate({ id: 1, title: 5 });
  return null;
}
