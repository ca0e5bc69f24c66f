// Compiled with the kernel generated from params.yaml: wire names become identifiers.
import type { ItemsSearchItemsParams, Mizan } from "./index.js";

export function search(mizan: Mizan): Promise<string[]> {
  const params: ItemsSearchItemsParams = {
    org_id: "acme", x_request_id: "4f1c", q: "lamp", ids: [1, 2], sort_by: "name", page_size: 10, page_size_2: 20,
  };
  // @ts-expect-error x_request_id is required.
  void mizan.items.searchItems({ org_id: "acme", q: "lamp" });
  return mizan.items.searchItems(params);
}
