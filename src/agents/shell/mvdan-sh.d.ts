/**
 * Types for `mvdan-sh`, mvdan/sh's shell parser compiled to JavaScript (GopherJS). It ships none.
 * Nodes are Go structs seen from JavaScript: fields are properties, slices are arrays, nil is null.
 */
declare module 'mvdan-sh' {
  export interface GoNode {
    Pos(): { Offset(): number };
    End(): { Offset(): number };
    readonly [field: string]: unknown;
  }
  export interface ParseError {
    Error(): string;
  }
  export interface Parser {
    /** throws a ParseError */
    Parse(src: string, name: string): GoNode;
  }
  export type ParserOption = { readonly __option: unique symbol };
  export interface Syntax {
    NewParser(...options: ParserOption[]): Parser;
    Variant(lang: number): ParserOption;
    LangBash: number;
    NodeType(node: GoNode): string;
    /** calls `visit` for every node below `node` (and null after a node's children); false skips them */
    Walk(node: GoNode, visit: (node: GoNode | null) => boolean): void;
    /** the word with `{a,b}` and `{1..3}` turned into BraceExp parts */
    SplitBraces(word: GoNode): GoNode;
  }
  const sh: { syntax: Syntax };
  export default sh;
}
