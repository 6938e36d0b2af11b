import { contentHash } from "#shared/web/hash.ts";

// The shop's one stylesheet, served under a name carrying its hash so browsers keep it forever.
export const SHOP_CSS = `
:root{--ink:#17181c;--muted:#5d6270;--line:#e6e7eb;--bg:#fff;--soft:#f6f6f8;--brand:#0b6e4f;--brand-ink:#fff;--accent:#c2410c;--bad:#b42318;--bad-soft:#fdecea;--ok:#0b6e4f;--ok-soft:#e7f5ef;--radius:12px}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg);font-size:16px;line-height:1.5}
body{margin:0}
a{color:inherit}
:focus-visible{outline:3px solid #2f80ed;outline-offset:2px}
.skip{position:absolute;left:-999px;top:8px;background:var(--ink);color:#fff;padding:8px 12px;border-radius:6px;z-index:10}
.skip:focus{left:8px}
.wrap{max-width:1180px;margin:0 auto;padding:0 20px}
.top{border-bottom:1px solid var(--line);background:#fff;position:sticky;top:0;z-index:5}
.top .wrap{display:flex;align-items:center;gap:20px;height:64px}
.brand{font-weight:800;font-size:20px;text-decoration:none;letter-spacing:-.02em}
.brand span{color:var(--brand)}
.search{flex:1;display:flex;max-width:520px}
.search input{flex:1;border:1px solid #cfd2da;border-right:0;border-radius:999px 0 0 999px;padding:9px 16px;font:inherit}
.search button{border:1px solid var(--ink);background:var(--ink);color:#fff;border-radius:0 999px 999px 0;padding:0 18px;font:inherit;font-weight:600;cursor:pointer}
.top nav{display:flex;gap:18px;align-items:center;margin-left:auto;font-weight:600}
.top nav a{text-decoration:none}
.cart-link{display:inline-flex;gap:6px;align-items:center}
.count{background:var(--brand);color:#fff;border-radius:999px;padding:0 8px;font-size:13px}
.cats{border-bottom:1px solid var(--line);background:var(--soft)}
.cats ul{list-style:none;margin:0 auto;padding:10px 20px;display:flex;gap:22px;overflow-x:auto}
.cats a{text-decoration:none;color:var(--muted);font-weight:600;white-space:nowrap}
.cats a[aria-current=page]{color:var(--ink)}
main{padding:28px 0 60px}
h1{font-size:30px;letter-spacing:-.02em;margin:0 0 6px}
h2{font-size:20px;margin:0 0 14px}
.lede{color:var(--muted);margin:0 0 24px}
.hero{background:linear-gradient(120deg,#0b6e4f,#14906a);color:#fff;border-radius:var(--radius);padding:40px;margin-bottom:34px}
.hero h1{font-size:38px}
.hero p{opacity:.92;max-width:560px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:22px}
.card{display:flex;flex-direction:column;gap:6px;text-decoration:none}
.card img{width:100%;aspect-ratio:1;object-fit:cover;border-radius:var(--radius);background:var(--soft)}
.card .t{font-weight:600;line-height:1.3}
.card .b{color:var(--muted);font-size:14px}
.price{font-weight:700}
.stars{color:#b45309;letter-spacing:1px}
.muted{color:var(--muted)}
.layout{display:grid;grid-template-columns:240px 1fr;gap:32px}
.facets fieldset{border:0;border-top:1px solid var(--line);margin:0;padding:14px 0}
.facets legend{font-weight:700;padding:0;margin-bottom:8px}
.facets label{display:flex;gap:8px;align-items:center;font-size:15px;margin:4px 0}
.facets .n{color:var(--muted);font-size:13px}
.btn{display:inline-flex;align-items:center;justify-content:center;gap:8px;border-radius:999px;padding:11px 22px;border:1px solid transparent;font:inherit;font-weight:700;cursor:pointer;text-decoration:none}
.btn.primary{background:var(--brand);color:var(--brand-ink)}
.btn.primary:hover{background:#095c42}
.btn.secondary{background:#fff;border-color:#c9ccd4;color:var(--ink)}
.btn.link{background:none;border:0;padding:0;color:var(--muted);text-decoration:underline;font-weight:500}
.product{display:grid;grid-template-columns:1.1fr 1fr;gap:44px}
.gallery img{width:100%;border-radius:var(--radius);background:var(--soft)}
.thumbs{display:flex;gap:10px;margin-top:10px}
.thumbs img{width:72px;height:72px;object-fit:cover;border-radius:8px}
.variant{display:flex;gap:10px;flex-wrap:wrap;border:0;padding:0;margin:0 0 16px}
.variant legend{font-weight:700;margin-bottom:8px}
.variant label{border:1px solid #cfd2da;border-radius:10px;padding:8px 14px;display:flex;gap:8px;align-items:center;cursor:pointer}
.avail{font-weight:600}
.avail.out{color:var(--bad)}
.avail.low{color:var(--accent)}
.field{display:flex;flex-direction:column;gap:5px;margin-bottom:14px}
.field label{font-weight:600;font-size:14px}
input[type=text],input[type=email],input[type=password],input[type=number],input[type=search],select,textarea{font:inherit;padding:10px 12px;border:1px solid #c9ccd4;border-radius:10px;background:#fff;color:var(--ink);width:100%}
input:focus,select:focus,textarea:focus{border-color:var(--brand);outline:3px solid #bfe3d5;outline-offset:0}
.row2{display:grid;grid-template-columns:1fr 1fr;gap:0 14px}
.panel{border:1px solid var(--line);border-radius:var(--radius);padding:22px;margin-bottom:22px}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:12px 10px;border-bottom:1px solid var(--line);vertical-align:middle}
th{font-size:13px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
td.num,th.num{text-align:right}
.line img{width:64px;height:64px;object-fit:cover;border-radius:8px}
.qty{width:80px}
.inline{display:inline-flex;gap:8px;align-items:center;margin:0}
.summary{display:grid;grid-template-columns:1fr 360px;gap:32px;align-items:start}
.totals div{display:flex;justify-content:space-between;padding:6px 0}
.totals .grand{font-weight:800;font-size:18px;border-top:1px solid var(--line);margin-top:6px;padding-top:12px}
.notice{border-radius:10px;padding:12px 16px;margin-bottom:18px;border:1px solid}
.notice.bad{background:var(--bad-soft);color:var(--bad);border-color:#f5c2bd}
.notice.ok{background:var(--ok-soft);color:var(--ok);border-color:#b9e2d2}
.notice.info{background:#eef4ff;color:#1d4ed8;border-color:#c7d7fe}
.review{border-top:1px solid var(--line);padding:14px 0}
.pager{display:flex;justify-content:center;margin-top:30px}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;background:var(--soft);font-size:13px;font-weight:600}
.narrow{max-width:460px;margin:0 auto}
footer{border-top:1px solid var(--line);padding:26px 0;color:var(--muted);font-size:14px}
.head-row{display:flex;justify-content:space-between;align-items:flex-end;gap:16px;flex-wrap:wrap}
.center{text-align:center;padding:40px 0}
.gap-left{margin-left:10px}
.wide{width:100%}
.spaced{margin-top:12px}
.spaced-top{margin-top:28px}
.field.short{max-width:120px}
.field.short:has(.field-error){max-width:none}
.field.short:has(.field-error) input{max-width:120px}
.field .label{font-weight:600;font-size:14px;padding:0}
.card-field{border:0;padding:0;margin:0 0 14px;min-width:0}
.card-element{border:1px solid #c9ccd4;border-radius:10px;padding:12px;min-height:46px;background:#fff}
.field-error{color:var(--bad);font-size:14px;margin:0;min-height:1em}
.section{margin-top:44px}
.crumbs{margin-bottom:14px}
.flush{margin:0}
.review-body{margin:6px 0}
.search-form{display:flex;flex:1}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
@media (max-width:820px){.layout,.product,.summary{grid-template-columns:1fr}.top .wrap{flex-wrap:wrap;height:auto;padding:10px 20px}.search{order:3;max-width:none;flex-basis:100%}.hero{padding:26px}.row2{grid-template-columns:1fr}}
`;

export const SHOP_CSS_PATH = `/assets/shop.${contentHash(SHOP_CSS)}.css`;
