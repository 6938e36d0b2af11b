import { contentHash } from "#shared/web/hash.ts";

// The dashboard's one stylesheet, served under a name carrying its hash so it can be cached forever.
export const DASHBOARD_CSS = `
:root{--bg:#f5f6fa;--panel:#fff;--ink:#1b1f2a;--muted:#5b6477;--line:#e3e6ee;--brand:#3b3fd8;--brand-ink:#fff;--brand-soft:#eceefe;
--ok:#0f7a43;--ok-soft:#e3f5ea;--warn:#8a5a00;--warn-soft:#fff3d6;--bad:#b42318;--bad-soft:#fde8e7;--info:#1d5fb8;--info-soft:#e4effc;
--radius:10px;--shadow:0 1px 2px rgba(16,24,40,.06),0 1px 3px rgba(16,24,40,.08)}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg);font-size:15px;line-height:1.5}
body{margin:0;min-height:100vh}
a{color:var(--brand)}
:focus-visible{outline:3px solid #7b7ff0;outline-offset:2px}
.skip{position:absolute;left:-999px;top:8px;background:var(--brand);color:var(--brand-ink);padding:8px 12px;border-radius:6px;z-index:10}
.skip:focus{left:8px}
.shell{display:grid;grid-template-columns:240px 1fr;min-height:100vh}
.sidebar{background:#141833;color:#d9dcf5;padding:20px 14px;display:flex;flex-direction:column;gap:18px}
.logo{display:flex;align-items:center;gap:10px;color:#fff;font-weight:700;font-size:17px;text-decoration:none;padding:4px 8px}
.logo-mark{display:inline-grid;place-items:center;width:30px;height:30px;border-radius:8px;background:linear-gradient(135deg,#6e72ff,#3b3fd8);color:#fff;font-size:15px}
.nav{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:2px}
.nav a{display:block;padding:9px 12px;border-radius:8px;color:#d9dcf5;text-decoration:none;font-weight:500}
.nav a:hover{background:#23284d;color:#fff}
.nav a[aria-current=page]{background:#3b3fd8;color:#fff}
.sidebar-foot{margin-top:auto;font-size:13px;color:#aab0dc}
.main{display:flex;flex-direction:column;min-width:0}
.topbar{display:flex;align-items:center;justify-content:space-between;gap:16px;background:var(--panel);border-bottom:1px solid var(--line);padding:12px 28px}
.topbar .merchant-name{font-weight:600;font-size:15px}
.topbar .who{display:flex;align-items:center;gap:12px;color:var(--muted);font-size:14px}
.avatar{display:inline-grid;place-items:center;width:32px;height:32px;border-radius:50%;background:var(--brand-soft);color:var(--brand);font-weight:700}
.content{padding:28px;max-width:1200px;width:100%}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:17px;margin:0 0 12px}
.lede{color:var(--muted);margin:0 0 22px}
.page-head{display:flex;align-items:flex-end;justify-content:space-between;gap:16px;margin-bottom:20px;flex-wrap:wrap}
.card{background:var(--panel);border:1px solid var(--line);border-radius:var(--radius);box-shadow:var(--shadow);padding:20px;margin-bottom:20px}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:16px;margin-bottom:20px}
.stat{background:var(--panel);border:1px solid var(--line);border-radius:var(--radius);padding:18px;box-shadow:var(--shadow)}
a.stat{text-decoration:none;color:inherit}
a.stat:hover{border-color:#c9cbfb}
.stat .n{font-size:30px;font-weight:700}
.stat .l{color:var(--muted);font-size:13px;text-transform:uppercase;letter-spacing:.04em}
table{width:100%;border-collapse:collapse;font-size:14px}
th,td{text-align:left;padding:10px 12px;border-bottom:1px solid var(--line);vertical-align:middle}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;background:#fafbfd}
tbody tr:nth-child(even){background:#fbfcfe}
tbody tr:hover{background:#f3f5fc}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.thumb{width:44px;height:44px;border-radius:8px;object-fit:cover;background:#eef0f6;border:1px solid var(--line);display:block}
.muted{color:var(--muted)}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:12px;font-weight:600;background:#eef0f6;color:#3d4456;white-space:nowrap}
.badge.ok{background:var(--ok-soft);color:var(--ok)}
.badge.warn{background:var(--warn-soft);color:var(--warn)}
.badge.bad{background:var(--bad-soft);color:var(--bad)}
.badge.info{background:var(--info-soft);color:var(--info)}
.btn{display:inline-flex;align-items:center;gap:6px;border:1px solid transparent;border-radius:8px;padding:8px 14px;font:inherit;font-weight:600;cursor:pointer;text-decoration:none;line-height:1.2}
.btn.primary{background:var(--brand);color:var(--brand-ink)}
.btn.primary:hover{background:#2f33b8}
.btn.secondary{background:var(--panel);color:var(--ink);border-color:#cfd4e2}
.btn.secondary:hover{background:#f3f5fc}
.btn.danger{background:var(--panel);color:var(--bad);border-color:#f1b8b3}
.btn.small{padding:5px 10px;font-size:13px}
form.inline{display:inline-flex;gap:8px;align-items:flex-end;flex-wrap:wrap;margin:0}
.field{display:flex;flex-direction:column;gap:5px;margin-bottom:14px;min-width:0}
.field label,.label{font-weight:600;font-size:13px}
.hint{color:var(--muted);font-size:12px}
input[type=text],input[type=email],input[type=password],input[type=number],input[type=search],input[type=date],select,textarea{font:inherit;padding:8px 10px;border:1px solid #c9cfdd;border-radius:8px;background:#fff;color:var(--ink);min-width:0;width:100%}
input[aria-invalid=true],select[aria-invalid=true],textarea[aria-invalid=true]{border-color:var(--bad);background:#fffafa}
input:focus,select:focus,textarea:focus{border-color:var(--brand);outline:3px solid #c9cbfb;outline-offset:0}
textarea{min-height:110px;resize:vertical}
input.w-xs{width:90px}
input.w-sm{width:110px}
input.w-md{width:150px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:0 16px}
.grid3{display:grid;grid-template-columns:repeat(3,1fr);gap:0 16px}
.rows{display:grid;gap:8px}
.row{display:grid;gap:8px;align-items:end}
.row.attr{grid-template-columns:1fr 1fr}
.row.variant{grid-template-columns:1.2fr 1.2fr .8fr .6fr}
.check{display:flex;gap:8px;align-items:center;font-weight:600}
.toolbar{display:flex;gap:10px;align-items:flex-end;flex-wrap:wrap;margin-bottom:16px}
.toolbar .field{margin:0}
.flash{border-radius:var(--radius);padding:12px 16px;margin-bottom:18px;font-weight:500;border:1px solid}
.flash.ok{background:var(--ok-soft);color:var(--ok);border-color:#b7e4c7}
.flash.bad{background:var(--bad-soft);color:var(--bad);border-color:#f1b8b3}
.flash.info{background:var(--info-soft);color:var(--info);border-color:#bcd4f5}
.secret{display:block;padding:12px;background:#141833;color:#e6e8ff;border-radius:8px;word-break:break-all;margin:8px 0}
.errors{margin:0;padding-left:18px}
.field-error{color:var(--bad);font-size:13px;margin:0}
.gallery{display:flex;gap:14px;flex-wrap:wrap;margin-bottom:14px}
.gallery figure{margin:0;width:150px;border:1px solid var(--line);border-radius:10px;padding:8px;background:#fff}
.gallery img{width:100%;height:110px;object-fit:cover;border-radius:6px;background:#eef0f6}
.gallery figcaption{font-size:12px;color:var(--muted);margin:6px 0}
.table-caption{text-align:left;padding-bottom:8px}
.toolbar.flush{margin:0}
.chart{max-width:100%;height:auto}
.stars{color:#b7791f;letter-spacing:1px}
.stars-off{color:#cfd4e2}
.empty{padding:30px;text-align:center;color:var(--muted)}
.pager{display:flex;justify-content:flex-end;margin-top:14px}
.signin{min-height:100vh;display:grid;place-items:center;background:radial-gradient(circle at 20% 20%,#2a2f73,#141833 60%)}
.signin .card{width:min(420px,92vw);padding:30px}
.signin h1{margin-bottom:6px}
.stack>*+*{margin-top:8px}
.segmented{display:inline-flex;background:#eceef5;border-radius:9px;padding:3px;gap:2px}
.segmented a{padding:6px 14px;border-radius:7px;color:var(--muted);font-weight:600;font-size:14px;text-decoration:none}
.segmented a[aria-current=page]{background:var(--panel);color:var(--ink);box-shadow:var(--shadow)}
.legend{display:flex;gap:16px;list-style:none;margin:0 0 8px;padding:0;font-size:13px;color:var(--muted);flex-wrap:wrap}
.legend li{display:flex;align-items:center;gap:6px}
.swatch{display:inline-block;vertical-align:baseline}
.alert-row strong{margin-right:6px}
.stats.compact{grid-template-columns:repeat(auto-fit,minmax(140px,1fr))}
.small{font-size:13px;margin:-6px 0 8px}
.grid2.cards{gap:0 20px}
@media (max-width:860px){.shell{grid-template-columns:1fr}.sidebar{flex-direction:row;flex-wrap:wrap;align-items:center;padding:12px}.nav{flex-direction:row;flex-wrap:wrap}.sidebar-foot{display:none}.grid2,.grid3,.row.variant{grid-template-columns:1fr}.content{padding:16px}.topbar{padding:10px 16px}table{display:block;overflow-x:auto}}
`;

export const DASHBOARD_CSS_PATH = `/admin/assets/dashboard.${contentHash(DASHBOARD_CSS)}.css`;
