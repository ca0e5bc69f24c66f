// Compiled with the kernel generated from nullable-30.yaml: null and absence are different.
import type { Thing } from "./index.js";

export const minimal: Thing = { required_plain: "a", required_nullable: null, required_ref: null, nullable_alias: null };

// @ts-expect-error required_nullable may be null but must be present.
export const missing: Thing = { required_plain: "a", required_ref: null, nullable_alias: null };

// @ts-expect-error optional_plain may be absent but not null.
export const nulled: Thing = { ...minimal, optional_plain: null };

export const withNulls: Thing = { ...minimal, optional_nullable: null, nullable_object: null, nullable_enum: null };
