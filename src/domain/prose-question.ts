/**
 * Questions asked in prose (issue 11 §2). Real models often end a phase by asking the operator in
 * their final message instead of calling the question tool. PURE.
 *
 * The rule: the message's **last paragraph** (after trimming a closing pleasantry) asks the operator
 * something when it contains a sentence that ends with `?` and
 *   - addresses the operator: "should I", "shall I", "do you want", "would you like|prefer",
 *     "which … do you / should", "can|could you confirm|clarify", "what would you like", "how should I",
 *     "is it ok|okay|fine", "do you prefer", "let me know"; or
 *   - offers a choice: numbered or bulleted options right before it (in its paragraph, or in the
 *     paragraph just before; the item then shows those options and the sentence introducing them).
 * A rhetorical question answered in the same paragraph ("Why? Because …") does not count: the question
 * must be the paragraph's last sentence, or the one before it when the last one is context rather than
 * its answer, or be followed only by options. Text in code blocks is ignored.
 *
 * An **offer** of more work ("Would you like me to also …?", "Shall I add …?", "Let me know if …") is
 * told apart, because after a phase that did its job it is not a reason to stop anyone.
 */

const ADDRESSES_OPERATOR =
  /\b(should i|shall i|do you want|would you (like|prefer)|which\b.*\b(do you|should|would you)|(can|could) you (please )?(confirm|clarify|tell|decide|choose|check)|what would you like|how (should|would you like|do you want) |is (it|that|this) (ok|okay|fine|acceptable|alright)|do you prefer|please (confirm|advise|decide|choose|let me know)|let me know (which|whether|if|how|what)|are you (ok|okay|fine) with|may i|can i (go ahead|proceed))\b/i;
const OPTION_LINE = /^\s*(\d+[.)]|[-*•]|\(?[a-d]\))\s+\S/;
const OFFER =
  /\b(would you like me to|do you want me to|shall i (also|go ahead and)|should i also|let me know if (you('d| would)? like|you want|there'?s anything)|happy to (also )?(help|add|extend)|if you('d| would) like,? i can)\b/i;
/** a sentence that answers the question before it: rhetorical */
const ANSWER = /^(because|yes|no|the answer|it turned out|turns out)\b/i;
/** closing lines that end many messages and ask nothing */
const PLEASANTRY = /^(thanks|thank you|cheers|hope this helps|happy coding)[.!]*$/i;

/** The question the message ends with, or null when it ends without asking the operator anything. */
export function askedInProse(message: string | null): string | null {
  if (!message) return null;
  const paragraphs = message
    .replace(/```[\s\S]*?```/g, '')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '' && !PLEASANTRY.test(p));
  const last = paragraphs.at(-1);
  if (!last) return null;
  const lines = last.split('\n');
  const options = lines.filter((l) => OPTION_LINE.test(l));
  // the paragraph with its options: when the last paragraph is the list, the question is just before it
  const prose =
    options.length === lines.length
      ? (paragraphs.at(-2) ?? '')
      : lines.filter((l) => !OPTION_LINE.test(l)).join(' ');
  const sentences = prose.match(/[^.!?]+[.!?]+|[^.!?]+$/g)?.map((s) => s.trim()) ?? [];
  // the question closes the paragraph, or is followed by one sentence of context that is not its answer
  const [before, final = ''] =
    sentences.slice(-2).length === 2 ? sentences.slice(-2) : ['', sentences.at(-1)];
  const question = final.endsWith('?') ? final : before?.endsWith('?') && !ANSWER.test(final) ? before : null;
  if (question === null) return null;
  // options in a paragraph of their own before the question ("1. …\n2. …\n\nWhich one should I use?")
  const listBefore = options.length === 0 ? optionLines(paragraphs.at(-2)) : 0;
  const choice = options.length >= 2 || listBefore >= 2;
  if (!choice && !ADDRESSES_OPERATOR.test(question)) return null;
  if (options.length === lines.length) return `${paragraphs.at(-2)}\n${last}`;
  // the operator must see the options the question refers to, and the sentence that introduces them
  return listBefore >= 2 ? paragraphs.slice(-3).join('\n\n') : last;
}

/** How many lines of the paragraph are options, when every line is one; 0 otherwise. */
function optionLines(paragraph: string | undefined): number {
  const lines = paragraph?.split('\n') ?? [];
  return lines.length > 0 && lines.every((l) => OPTION_LINE.test(l)) ? lines.length : 0;
}

/**
 * Whether an asked question only offers more work (see the module comment): an offer's wording, and
 * no alternatives to choose between ("…, or …?" is a decision, not an offer).
 */
export function isOfferOfMoreWork(question: string): boolean {
  const asked = question.split(/(?<=[.!?])\s+/).filter((s) => s.trim().endsWith('?'));
  return asked.length > 0 && asked.every((s) => OFFER.test(s) && !/\bor\b/i.test(s));
}
