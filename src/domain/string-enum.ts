/**
 * A string enum from its list of values: `X.FUTURE === 'FUTURE'`, with the list kept for choices and
 * validation. One declaration gives the object, the type (`(typeof LIST)[number]`) and the order.
 */
export function stringEnum<const T extends readonly string[]>(values: T): { readonly [K in T[number]]: K } {
  return Object.freeze(Object.fromEntries(values.map((v) => [v, v]))) as { readonly [K in T[number]]: K };
}
