// Compiled with the kernel generated from read-write.yaml: the request type has no readOnly
// field, the response type no writeOnly field.
import type { Mizan, User, UserRequest } from "./index.js";

export async function signUp(mizan: Mizan): Promise<number> {
  const body: UserRequest = { email: "a@example.com", password: "secret", tags: [{ label: "new" }] };
  // @ts-expect-error id is readOnly: the server assigns it.
  const withId: UserRequest = { email: "a@example.com", password: "secret", id: 1 };
  void withId;
  const user: User = await mizan.users.createUser({ body });
  // @ts-expect-error password is writeOnly: the server never sends it.
  void user.password;
  return user.id;
}
