// Type-level checks of the generated Vue adapter (against the minimal Vue declarations in
// ../shims/vue): parameters as values, refs or getters, typed refs back, typed errors.

import { ref } from "vue";
import { isBooksGetBookError } from "./index.js";
import { useGetBook, useListBooks, useUpdateBook } from "./vue.js";

export function setup(): void {
  const id = ref(1);
  const byRef = useGetBook({ id: 1 });
  const byGetter = useGetBook(() => ({ id: id.value }));
  const title: string | undefined = byGetter.data.value?.title;
  void title;
  const error = byRef.error.value;
  if (error !== undefined && isBooksGetBookError(error)) {
    const status: 404 = error.status;
    void status;
  }
  const page = useListBooks(ref({ page: 2 }), { enabled: () => id.value > 0 });
  const total: number | undefined = page.data.value?.total;
  void total;
  const update = useUpdateBook();
  // @ts-expect-error: title is a string
  update.mutate({ id: 1, title: 5 });
  // @ts-expect-error: id is a number
  useGetBook(() => ({ id: "1" }));
}
