// Compiled together with the generated bookshop kernel: proves that callers get real types
// (a typed catch, a narrowed branching result), not `unknown`. Run by generated-bookshop.test.mjs.
import { createMizan, isBooksUpdateBookError, isCartAddItemError } from "./index.js";
import type { Book, BooksPublishBookResult, Mizan } from "./index.js";

/** Renames a book and reports a validation failure in words, using the typed error. */
export async function renameBook(mizan: Mizan, id: number, title: string): Promise<string> {
  try {
    const book: Book = await mizan.books.updateBook({ id, title });
    return `renamed to ${book.title}`;
  } catch (error) {
    if (isBooksUpdateBookError(error)) {
      // The declared codes, narrowed: a typo here would not compile.
      const code: "not_found" | "validation_error" = error.code;
      const status: 404 | 400 = error.status;
      // @ts-expect-error "gone" is not a code books.update_book declares.
      const impossible: "gone" = error.code;
      void impossible;
      return `${status} ${code}: ${error.fields["title"]?.[0] ?? error.message}`;
    }
    throw error;
  }
}

/** The typed detail of a declared error. */
export function available(error: unknown): number | undefined {
  if (isCartAddItemError(error) && error.code === "out_of_stock") return error.detail.available;
  return undefined;
}

/** A status-branching result narrows on `status`. */
export function describePublish(result: BooksPublishBookResult): string {
  switch (result.status) {
    case 200: return `published: ${result.data.title}`;
    case 202: return `queued as ${result.data.job_id}`;
  }
}

export function make(baseUrl: string): Mizan {
  const mizan = createMizan({ baseUrl });
  // @ts-expect-error id must be a number.
  void mizan.books.getBook({ id: "1" });
  return mizan;
}
