/**
 * The shell of the server-rendered pages (the plan, the observatory): French, readable with no
 * script, one stylesheet inlined and allowed by its hash in the CSP (no inline script at all),
 * a print stylesheet (A4, no buttons, page breaks between sections), and the headers that keep
 * the page private: no-store, no-referrer, noindex.
 */
import { createHash } from 'node:crypto';
import { esc } from './escape.js';

/** The pages' stylesheet (screen, phone and print). */
export const PAGE_CSS = `
:root{color-scheme:light;--ink:#1b1f24;--muted:#4a5260;--line:#d5dae1;--brand:#0b4f96;--soft:#eef3f9;--warn:#a4261b;--ok:#1d6b35}
*{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);background:#fff}
main{max-width:48rem;margin:0 auto;padding:1rem 1rem 3rem}
header.top{border-bottom:3px solid var(--brand);padding-bottom:.75rem;margin-bottom:1rem}
h1{font-size:1.6rem;line-height:1.2;margin:.2rem 0 .3rem;color:var(--brand)}
h2{font-size:1.25rem;margin:1.6rem 0 .5rem;padding-bottom:.2rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:1rem 0 .3rem}
p{margin:.4rem 0}
.muted{color:var(--muted)}
.kicker{text-transform:uppercase;letter-spacing:.06em;font-size:.8rem;color:var(--muted);margin:0}
.actions{display:flex;gap:.5rem;flex-wrap:wrap;margin:.6rem 0 0}
.actions button{font:inherit;font-weight:600;border:2px solid var(--brand);background:var(--brand);color:#fff;border-radius:.4rem;padding:.45rem .9rem;cursor:pointer}
.actions button:focus-visible{outline:3px solid #f2b600;outline-offset:2px}
.reading{font-size:.9rem;color:var(--muted);font-style:italic}
.level{font-size:1.15rem}
.level strong{color:var(--brand)}
svg{display:block;max-width:100%;height:auto;margin:.4rem 0}
svg text{font:13px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#1b1f24}
svg .cur{font-weight:700}
svg .track{fill:#e6e9ee}
svg .bar{fill:#0b4f96}
svg .bar-below{fill:#a4261b}
svg .threshold{stroke:#1b1f24;stroke-width:2;stroke-dasharray:4 3}
svg .seg{fill:#e6e9ee}
svg .seg-on{fill:#8fb3da}
svg .seg-current{fill:#0b4f96}
svg .marker{fill:#1b1f24}
svg .line{fill:none;stroke:#0b4f96;stroke-width:2}
svg .dot{fill:#0b4f96}
svg .stack-0{fill:#a4261b}svg .stack-1{fill:#d98a1c}svg .stack-2{fill:#8fb3da}svg .stack-3{fill:#0b4f96}
ul.prereqs{list-style:none;padding:0;margin:.4rem 0}
ul.prereqs li{padding:.15rem 0}
.mark{display:inline-block;min-width:6.5rem;font-weight:700}
.met .mark{color:var(--ok)}.missing .mark{color:var(--warn)}.unknown .mark{color:var(--muted)}
.fiche{border:1px solid var(--line);border-left:4px solid var(--brand);border-radius:.3rem;padding:.5rem .75rem;margin:.6rem 0;break-inside:avoid}
.fiche h3{margin:.1rem 0 .2rem}
.fiche dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .6rem;margin:.3rem 0 0;font-size:.92rem}
.fiche dt{font-weight:600;color:var(--muted)}
.fiche dd{margin:0}
.first{background:var(--soft);border-radius:.3rem;padding:.5rem .75rem;margin:.6rem 0}
ol.steps{padding-left:1.4rem}
ol.steps li{margin:.25rem 0}
.next{font-weight:700;color:var(--brand)}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.4rem 0}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border-bottom:1px solid var(--line);padding:.25rem .4rem;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}
.bilan{break-inside:avoid}
.status{font-weight:700}
footer{margin-top:2rem;border-top:1px solid var(--line);padding-top:.6rem;font-size:.9rem;color:var(--muted)}
a{color:var(--brand)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:30rem){h1{font-size:1.35rem}main{padding:.75rem .75rem 2rem}.mark{min-width:5.5rem}}
@page{size:A4;margin:13mm 14mm}
@media print{
 body{font-size:9.5pt;line-height:1.32}
 .fiche{padding:.3rem .6rem;margin:.4rem 0}
 .fiche dl{font-size:9pt}
 main{max-width:none;padding:0}
 .no-print{display:none!important}
 h1{font-size:17pt}
 h2{font-size:12.5pt;margin-top:.9rem;break-after:avoid}
 h3{break-after:avoid}
 section.page-break{break-before:page}
 .fiche,.bilan,figure,table,.first{break-inside:avoid}
 a{color:inherit;text-decoration:none}
 svg text{font-size:12px}
}
`.trim();

/** The CSP hash of {@link PAGE_CSS}, computed once. */
const STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}'`;

/** The one script the pages may load (the print button), served by the route itself. */
export const PRINT_SCRIPT_PATH = '/plan/imprimer.js';

/** « Télécharger en PDF »: shown only when the script runs, it opens the browser's print. */
export const PRINT_SCRIPT = `document.addEventListener('DOMContentLoaded',function(){var b=document.getElementById('imprimer');if(!b)return;b.hidden=false;b.addEventListener('click',function(){window.print();});});\n`;

/** Headers of every page: private, not cached, not indexed, no referrer, no inline script. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
  'content-security-policy': [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    "script-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
};

/** Headers of the print script. */
export const SCRIPT_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/javascript; charset=utf-8',
  'cache-control': 'public, max-age=86400',
};

/** A whole page around `body` (already escaped HTML). */
export function pageShell(title: string, body: string): string {
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${PAGE_CSS}</style>
<script src="${PRINT_SCRIPT_PATH}" defer></script>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Today as « 3 décembre 2026 », in France's time zone. */
export function frenchDate(at: number | Date): string {
  return new Intl.DateTimeFormat('fr-FR', {
    dateStyle: 'long',
    timeZone: 'Europe/Paris',
  }).format(at);
}
