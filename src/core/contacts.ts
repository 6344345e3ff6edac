/**
 * Regional contacts, funding and success factors for the collectivité path (guide pp. 42–44).
 * Regions are found by id, name or an alias from the vocabulary, accent- and case-insensitively.
 */
import type { Catalog, Contacts, Guide } from '../../catalog/schema.js';
import { normalizeText } from '../understand/normalize.js';

/** One regional Banque des Territoires contact. */
export type RegionContact = Contacts['regions'][number];

/**
 * Normalised names of a region. Aliases written « =NA » only count as the whole answer (so that
 * « centre » alone is a region but « centre-ville » is not).
 */
function namesOf(catalog: Catalog, region: RegionContact): { name: string; whole: boolean }[] {
  const aliases = catalog.vocabulary?.regions?.[region.id] ?? [];
  return [region.id, region.name, ...aliases]
    .map((raw) => ({ name: normalizeText(raw), whole: raw.trimStart().startsWith('=') }))
    .filter((n) => n.name.length > 0);
}

/**
 * The region named in `text` (« Bretagne », « ile de france », « bourgogne-franche-comte », an
 * alias like « PACA » when the vocabulary has it). Exact match first, then the longest name
 * found as whole words inside the text.
 */
export function findRegion(catalog: Catalog, text: string): RegionContact | undefined {
  if (typeof text !== 'string') return undefined;
  const wanted = normalizeText(text.slice(0, 500));
  if (!wanted) return undefined;
  const regions = catalog.contacts?.regions ?? [];
  const exact = regions.find((r) => namesOf(catalog, r).some((n) => n.name === wanted));
  if (exact) return exact;
  let best: { region: RegionContact; length: number } | undefined;
  const padded = ` ${wanted} `;
  for (const region of regions)
    for (const { name, whole } of namesOf(catalog, region))
      if (!whole && padded.includes(` ${name} `) && (!best || name.length > best.length))
        best = { region, length: name.length };
  return best?.region;
}

/** What the collectivité path offers beside the roadmap. */
export interface CollectiviteSupport {
  /** The region's contact, when the region is known. */
  contact?: RegionContact;
  /** Funding measures « mentionnées dans le guide », with the caveat to check they are open. */
  funding: Guide['funding'];
  successFactors: Guide['successFactors'];
  /** What Banque des Territoires offers (ingénierie, AMO…). */
  support: Guide['support'];
  /** All contacts' page in the guide, for a « voir tous les contacts » link. */
  contactsPage: number;
}

/** Contact, funding and success factors for a collectivité; the region may be an id or a name. */
export function collectiviteSupport(catalog: Catalog, regionId?: string): CollectiviteSupport {
  const contact = regionId ? findRegion(catalog, regionId) : undefined;
  return {
    ...(contact ? { contact } : {}),
    funding: catalog.guide.funding,
    successFactors: catalog.guide.successFactors,
    support: catalog.guide.support,
    contactsPage: catalog.contacts.page,
  };
}
