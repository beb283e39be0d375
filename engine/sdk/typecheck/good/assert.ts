// Type-level assertions: Equal is true only when two types are the same, so a declaration that
// degrades to `any` or widens to `string` fails the check instead of passing silently.
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export function assertType<T extends true>(): T | void {}
