/**
 * Words that never count as GOAL-stage evidence: the chunk templates' text, frontmatter vocabulary and
 * stop-words.
 */
import { GOAL_TEMPLATE_BODY, PLAN_TEMPLATE_BODY } from '../domain/chunk-templates.js';

/** The GOAL.md and PLAN.md template bodies: shared with `ve chunk create`, so they cannot drift. */
export const TEMPLATE_TEXT = `${GOAL_TEMPLATE_BODY}\n${PLAN_TEMPLATE_BODY}`;

/** Frontmatter keys and values of chunk documents (reference §1.2): never content. */
export const FRONTMATTER_TEXT = `
status ticket depends_on code_paths code_references created_after subsystems friction_entries
bug_type investigation narrative ref implements compliance future implementing active composite
superseded historical null true false
`;

/** English and programming stop-words, plus verbs every task description uses. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `
a about above after again against all also although always among an and any are around as at be because been
before being below between both but by can cannot could did do does doing done down during each either else
enough etc even ever every few for from further had has have having he her here hers him his how however i if
in into is it its itself just least less like made many may maybe me might more most much must my neither no
nor not now of off often on once one only or other others otherwise our ours out over own per perhaps quite
rather same several shall she should since so some such than that the their theirs them then there these they
this those though through thus to too under until up upon us very via was we were what whatever when where
whether which while who whom whose why will with within without would yet you your yours
able across add added adding adds allow allows already another anything apply available based becomes
better change changed changes check checks clear correct create created creates currently different does
doesn ensure ensures etc existing fix fixed fixes given handle handles ignore include includes including
instead keep keeps later make makes making means need needed needs new nothing old once proper properly
rather really remove removed removes replace replaced return returns right run runs simple simply small
something still support supports sure take takes thing things update updated updates use used uses using
want way ways well work works wrong yes
implement implemented implements implementation code file files function functions method methods class
classes test tests testing module modules line lines value values type types true false null undefined
const let var async await import export default interface extends public private static void string number
boolean object array promise readonly
`
    .split(/\s+/)
    .filter((w) => w.length > 0),
);
