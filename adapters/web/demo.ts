/**
 * The demo page served at `/`: a mock town website with the widget embedded exactly as a town
 * would embed it (one script tag). No inline script or style, so it runs under the server's
 * strict Content-Security-Policy; its stylesheet is served at `/demo.css`.
 */

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** What the page shows: the town and an optional entry point for the widget. */
export interface DemoPageOptions {
  readonly town: string;
  readonly start?: string;
  /** Show the widget inside the page instead of the floating button. */
  readonly inline?: boolean;
}

/** The HTML of the demo page. */
export function renderDemoPage(options: DemoPageOptions): string {
  const town = escapeHtml(options.town);
  const startAttr = options.start ? ` data-start="${escapeHtml(options.start)}"` : '';
  const targetAttr = options.inline ? ' data-target="#assistant"' : '';
  const snippet = escapeHtml(
    `<script src="https://assistant.ville-exemple.fr/widget.js" data-town="${options.town}" async></script>`,
  );
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ville de ${town} — commerces du centre-ville</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo.css">
<script src="/widget.js" data-town="${town}"${startAttr}${targetAttr} async></script>
</head>
<body>
<header class="site-header">
  <p class="site-name">Ville de ${town}</p>
  <nav aria-label="Menu principal">
    <ul>
      <li><a href="#commerces">Commerces</a></li>
      <li><a href="#marches">Marchés</a></li>
      <li><a href="#integrer">Intégrer l’assistant</a></li>
    </ul>
  </nav>
</header>
<main id="contenu">
  <h1>Commerces du centre-ville</h1>
  <p class="lead">Boulangeries, librairies, cafés, artisans : le centre-ville de ${town} compte sur ses commerçants. La ville les accompagne dans leurs projets numériques.</p>
  <section id="commerces" aria-labelledby="titre-commerces">
    <h2 id="titre-commerces">Un assistant pour vos projets numériques</h2>
    <p>Être trouvé en ligne, fidéliser la clientèle, vendre sur internet, attirer du monde en centre-ville : l’assistant vous guide pas à pas, d’après le guide de la Banque des Territoires « Dynamiser le commerce de centre-ville en un clic ? ».</p>
    <p>Ouvrez-le avec le bouton « Assistant commerces » en bas de l’écran. Il fonctionne au clavier et avec un lecteur d’écran.</p>
    <div id="assistant"></div>
  </section>
  <section id="marches" aria-labelledby="titre-marches">
    <h2 id="titre-marches">Marchés et animations</h2>
    <p>Marché couvert le mercredi et le samedi matin. Animations commerciales chaque premier samedi du mois.</p>
  </section>
  <section id="integrer" aria-labelledby="titre-integrer">
    <h2 id="titre-integrer">Intégrer l’assistant sur le site de votre ville</h2>
    <p>Une seule ligne à coller dans vos pages :</p>
    <pre><code>${snippet}</code></pre>
    <p>Options : <code>data-start="diagnostic-commercant"</code> pour ouvrir directement un parcours, <code>data-target="#mon-bloc"</code> pour l’afficher dans la page plutôt qu’en bouton flottant.</p>
  </section>
</main>
<footer class="site-footer">
  <p>Page de démonstration — Clic Centre-Ville.</p>
</footer>
</body>
</html>
`;
}

/** The demo page's stylesheet (served as a file so the CSP can forbid inline styles). */
export const DEMO_CSS = `*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#fafaf7;line-height:1.55}
.site-header{background:#24384f;color:#fff;padding:1rem 1.25rem;display:flex;flex-wrap:wrap;gap:.5rem 2rem;align-items:center;justify-content:space-between}
.site-name{margin:0;font-size:1.25rem;font-weight:700}
.site-header ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:1rem}
.site-header a{color:#fff}
.site-header a:focus-visible{outline:3px solid #ffd166;outline-offset:2px}
main{max-width:48rem;margin:0 auto;padding:1.5rem 1.25rem 6rem}
h1{font-size:1.9rem;line-height:1.2;margin:.5rem 0 1rem}
h2{font-size:1.3rem;margin-top:2rem}
.lead{font-size:1.1rem}
a{color:#1a4f8b}
pre{background:#eef1f5;padding:.75rem;overflow-x:auto;border-radius:6px;white-space:pre-wrap;word-break:break-all}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.site-footer{border-top:1px solid #d5d9df;padding:1rem 1.25rem;color:#4a5260;text-align:center}
`;
