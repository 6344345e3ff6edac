/**
 * The core of Clic Centre-Ville: pure functions over the catalog that decide what the guide
 * recommends (SPEC §4). No I/O, no platform, no XState, no clock, and no sentence: decisions
 * come back as typed values — codes with their figures — that `src/dialogue/text/` words. Every
 * function takes the `Catalog` first; bad input comes back as a typed result or a
 * clarification code; a bug throws (nothing is swallowed).
 *
 * - `assessMerchant` — P1–P4 answers → prerequisites met (P2–P4 ⇒ P1), level, what is unknown.
 *   `merchantAnswersOf` is the one reader of the dialogue's recorded P1–P4 answers.
 * - `assessTerritory` — the three roadmaps' maturity questions → bilans (summary and line
 *   codes), roadmap steps with ★ and the next step(s), fiches to push and to postpone with
 *   their reason codes (order rule and marketplace caution, guide p. 42); `collectifOpen` (60 %).
 *   `territoryAnswersOf` reads the dialogue's answers; `territoryAssessment` reads and assesses.
 * - `recommend` — ranked fiches: accessible first; for a merchant the highest accessible level
 *   first and the commune's fiches marked apart (`role`), otherwise the simplest first; then the
 *   audience's impact weights, then fiche number; a `why` code per fiche with the way there
 *   (`path`), the first step (what unlocks the merchant's next level, `unlocks`).
 *   `merchantAdvice` is the merchant's decision in one call (assessment + recommendation).
 * - `findRegion`, `collectiviteSupport` — regional contact, funding, success factors.
 *
 * Decisions where the guide is silent: unknown answers count as not met (merchant) and give
 * the roadmap's step 1 as advice (territory); the order rule applies while the individuel
 * bilan is not validated (below 60 % or still unknown); `missing[].builders` lists the whole
 * path from rules.builders and `accessibleBuilders` the ones startable now; a fiche whose only
 * lack is what it builds itself (fiche 2 for P2, once sensibilisé) is accessible. Our readings
 * carry their label from `rules.readings` (`readingLabel`), pages from the sommaire too.
 */

export type {
  Audience,
  MaturityLevel,
  MerchantPrereq,
  ObjectiveId,
  RoadmapId,
} from '../../catalog/schema.js';
export {
  type CollectiviteSupport,
  collectiviteSupport,
  findRegion,
  type RegionContact,
} from './contacts.js';
export { formatShare, maturityLabel, pageRef, prereqLabel, readingLabel } from './labels.js';
export {
  type Answer,
  assessMerchant,
  closeImplications,
  levelFor,
  type MerchantAnswers,
  type MerchantAssessment,
  type MerchantClarification,
  merchantAnswersOf,
} from './merchant.js';
export {
  type MerchantAdvice,
  type MerchantRole,
  type MissingPrereq,
  merchantAdvice,
  merchantRole,
  type Recommendation,
  type RecommendationItem,
  type RecommendationNote,
  type RecommendationRequest,
  recommend,
  type Why,
} from './recommend.js';
export type { CoreError, CoreErrorCode, CoreErrorDetail, Received, Result } from './result.js';
export {
  assessTerritory,
  type Bilan,
  type BilanLine,
  type BilanStatus,
  type BilanSummary,
  collectifOpen,
  type RoadmapStepView,
  type Share,
  type Structuration,
  type TerritoryAnswers,
  type TerritoryAssessment,
  type TerritoryClarification,
  type TerritoryFicheDecision,
  type TerritoryReason,
  type TerritoryReasonCode,
  territoryAnswersOf,
  territoryAssessment,
  type WebShareQuestion,
} from './territory.js';
