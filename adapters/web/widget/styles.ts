/**
 * The widget's stylesheet, scoped by the shadow root. Colours pass WCAG 2.1 AA contrast with
 * the defaults and are themable through CSS custom properties set on the host page, e.g.
 * `clic-centre-ville { --ccv-primary: #7a1f3d; }`.
 */
export const WIDGET_CSS = `
:host{
  --ccv-primary:#1a4f8b;--ccv-primary-contrast:#fff;--ccv-bg:#fff;--ccv-text:#1b1f24;
  --ccv-muted:#4f5764;--ccv-bot-bg:#eef2f7;--ccv-user-bg:var(--ccv-primary);
  --ccv-user-text:var(--ccv-primary-contrast);--ccv-border:#c9d0d9;--ccv-focus:#1a4f8b;
  --ccv-radius:12px;--ccv-font:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
  --ccv-z:2147483000;
  all:initial;display:block;font-family:var(--ccv-font);font-size:16px;line-height:1.45;color:var(--ccv-text)
}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.sr-only{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button,input{font:inherit;color:inherit}
button{cursor:pointer}
:focus-visible{outline:3px solid var(--ccv-focus);outline-offset:2px}
.launcher{position:fixed;right:16px;bottom:16px;z-index:var(--ccv-z);display:flex;align-items:center;gap:8px;
  min-height:48px;padding:10px 18px;border:2px solid var(--ccv-primary-contrast);border-radius:999px;
  background:var(--ccv-primary);color:var(--ccv-primary-contrast);font-weight:600;box-shadow:0 4px 14px rgba(0,0,0,.25)}
.launcher svg{width:22px;height:22px;flex:none}
.panel{display:flex;flex-direction:column;background:var(--ccv-bg);color:var(--ccv-text);
  border:1px solid var(--ccv-border);border-radius:var(--ccv-radius);overflow:hidden}
.floating .panel{position:fixed;right:16px;bottom:80px;z-index:var(--ccv-z);width:min(400px,calc(100vw - 32px));
  height:min(640px,calc(100vh - 104px));box-shadow:0 10px 30px rgba(0,0,0,.25)}
.inline .panel{width:100%;height:min(600px,80vh)}
@media (max-width:480px){
  .floating .panel{right:0;bottom:0;width:100vw;height:100%;max-height:100vh;border-radius:0;border:0}
}
header{display:flex;align-items:flex-start;gap:8px;padding:12px 12px 10px 16px;background:var(--ccv-primary);color:var(--ccv-primary-contrast)}
.titles{flex:1;min-width:0}
h2{margin:0;font-size:1.05rem;line-height:1.3}
.subtitle{margin:2px 0 0;font-size:.85rem}
.tool{flex:none;min-width:44px;min-height:44px;padding:6px 8px;border:2px solid transparent;border-radius:8px;
  background:transparent;color:var(--ccv-primary-contrast);font-size:.85rem}
.tool:hover{border-color:var(--ccv-primary-contrast)}
.tool:focus-visible{outline-color:var(--ccv-primary-contrast);outline-offset:-4px}
.close{font-size:1.5rem;line-height:1}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px;overscroll-behavior:contain}
.msg{display:flex;flex-direction:column;gap:8px;max-width:100%}
.bubble{margin:0;padding:10px 12px;border-radius:var(--ccv-radius);overflow-wrap:anywhere}
.bot .bubble{background:var(--ccv-bot-bg);color:var(--ccv-text);border-top-left-radius:4px;align-self:flex-start;max-width:95%}
.user{align-items:flex-end}
.user .bubble{background:var(--ccv-user-bg);color:var(--ccv-user-text);border-top-right-radius:4px;max-width:85%;white-space:pre-wrap}
.bubble p{margin:0 0 6px}.bubble p:last-child{margin-bottom:0}
.bubble ul,.bubble ol{margin:4px 0 6px;padding-left:1.3em}
.bubble a,.card a{color:var(--ccv-primary);text-decoration:underline}
.progress{font-size:.8rem;font-weight:600;color:var(--ccv-muted)}
.card{border:1px solid var(--ccv-border);border-radius:var(--ccv-radius);padding:10px 12px;background:var(--ccv-bg)}
.card p{margin:0 0 4px;font-size:.92rem}
.card-title{margin:0 0 4px;font-size:1rem}
.card-subtitle{color:var(--ccv-muted)}
.choices{display:flex;flex-wrap:wrap;gap:6px}
.card-choices{margin-top:6px}
.choice{min-height:40px;padding:7px 12px;border:2px solid var(--ccv-primary);border-radius:999px;
  background:var(--ccv-bg);color:var(--ccv-primary);font-size:.92rem;font-weight:600;text-align:left}
.choice:hover{background:var(--ccv-bot-bg)}
.notice{margin:0;font-size:.85rem;color:var(--ccv-muted);text-align:center}
.retry{font:inherit;font-weight:600;color:var(--ccv-primary);background:none;border:1px solid currentColor;border-radius:6px;padding:2px 8px;margin-top:4px;cursor:pointer}
.typing{display:flex;align-items:center;gap:8px;padding:0 12px 8px;font-size:.85rem;color:var(--ccv-muted)}
.dots{display:inline-flex;gap:3px}
.dots i{width:6px;height:6px;border-radius:50%;background:var(--ccv-muted);animation:ccv-b 1.2s infinite ease-in-out}
.dots i:nth-child(2){animation-delay:.15s}.dots i:nth-child(3){animation-delay:.3s}
@keyframes ccv-b{0%,80%,100%{opacity:.3}40%{opacity:1}}
@media (prefers-reduced-motion:reduce){.dots i{animation:none}}
form{display:flex;gap:8px;padding:10px 12px;border-top:1px solid var(--ccv-border)}
input{flex:1;min-width:0;min-height:44px;padding:8px 12px;border:2px solid var(--ccv-muted);border-radius:10px;background:var(--ccv-bg)}
.send{min-height:44px;padding:8px 14px;border:0;border-radius:10px;background:var(--ccv-primary);color:var(--ccv-primary-contrast);font-weight:600}
.legal{margin:0;padding:0 12px 10px;font-size:.75rem;color:var(--ccv-muted)}
`;
