// Compiled with the kernel generated from multipart.yaml: an array of files is Blob[].
import type { Mizan } from "./index.js";

export async function upload(mizan: Mizan, files: File[]): Promise<number> {
  const stored = await mizan.documents.uploadDocuments({ body: { title: "scans", files, tags: ["a", "b"] } });
  // @ts-expect-error a file field takes a Blob, not a string.
  void mizan.documents.uploadDocuments({ body: { title: "scans", files: ["not a file"] } });
  return stored.id;
}
