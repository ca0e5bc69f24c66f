// Type-level checks of the generated Svelte adapter (against the minimal Svelte declarations in
// ../shims/svelte): typed store values and errors.

import { createMizan, isBooksGetBookError } from "./index.js";
import { mizanStores, query } from "./svelte.js";

export function component(): void {
  const { getBook, updateBook, listBooks } = mizanStores(createMizan({ baseUrl: "" }));
  const stop = getBook({ id: 1 }).subscribe((book) => {
    const title: string | undefined = book.data?.title;
    void title;
    if (book.error !== undefined && isBooksGetBookError(book.error)) {
      const code: "not_found" = book.error.code;
      void code;
    }
  });
  stop();
  void listBooks();
  const update = updateBook();
  // @ts-expect-error: title is a string
  update.mutate({ id: 1, title: 5 });
  // @ts-expect-error: a mutation is not a query
  query(createMizan({ baseUrl: "" }), "books.update_book", { id: 1 });
}
