// Amazon's APL renderer for the web (npm apl-viewhost-web 1.4.0) in headless Chromium, and Amazon's
// APL validator (npm apl-suggester), behind one line-based JSON protocol for the Python side
// (skill/screen/viewhost.py).
//
//   node tools/apl/viewhost.mjs            then one JSON request a line on stdin, one JSON reply a line on stdout
//
// Requests:
//   {"op": "validate", "document": {...}}
//       -> {"findings": [{"level": "ERROR" | "WARNING", "path": ..., "message": ...}]}
//   {"op": "render", "document": {...}, "datasources": {...},
//    "viewport": {"width": dp, "height": dp, "shape": "RECTANGLE" | "ROUND", "mode": "HUB" | "TV"},
//    "samples": [ms, ...], "watch": [componentId, ...], "screenshot": "/path.png" | null,
//    "pager": componentId, "pages": count}   (optional: measure every page of that pager, turning to each)
//       -> {"errors": [...], "components": [...], "samples": [{"at_ms", "components": [...]}]}
//   Every component is {"id", "type", "box": [left, top, right, bottom] on the screen in dp,
//   "content": [width, height] of what it holds (a text's lines, a scroll view's child),
//   "text", "shown": whether it and its parents are displayed, "page": the page it is on}.
//   With "samples", the page's clock is stopped at the start and moved on to each time in turn
//   (the document's onMount commands run on that clock); "watch" lists the components measured
//   at each sample. The screenshot is taken after the samples, at the last one.
//
// Everything stays on this machine: any request to the network is refused (the renderer's fonts
// come from a CDN, so text is set in Chromium's own sans-serif), and Chromium gets a fresh profile.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const RENDERER = path.join(ROOT, 'node_modules', 'apl-viewhost-web', 'index.js');
const { StaticAplTemplateValidator } = require(path.join(ROOT, 'node_modules', 'apl-suggester'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DPI = 160; // APL's reference density: one dp is one CSS pixel
const FRAME_MS = 16;

// The page side: create the renderer for one document, walk its components, measure them.
const IN_PAGE = `
const TYPES = ['Container', 'EditText', 'Frame', 'GridSequence', 'Image', 'Pager', 'ScrollView', 'Sequence', 'Text',
  'TouchWrapper', 'VectorGraphic', 'Video'];  // apl-core's ComponentType, in its order
window.backstretch = {
  async show(request) {
    if (window.shown) { window.shown.destroy(); window.shown = null; }
    document.body.innerHTML = '';
    const { document: apl, datasources, viewport } = request;
    const content = AplRenderer.Content.create(JSON.stringify(apl));
    for (const name of apl.mainTemplate.parameters || []) content.addData(name, JSON.stringify(datasources[name] || {}));
    const view = document.createElement('div');
    view.style.cssText = 'position:relative;overflow:hidden;width:' + viewport.width + 'px;height:' + viewport.height + 'px';
    if (viewport.shape === 'ROUND') view.style.borderRadius = '50%';
    document.body.appendChild(view);
    window.errors = [];
    const renderer = AplRenderer.default.create({
      content, view, theme: 'dark', mode: viewport.mode || 'HUB', notLoadFonts: true, logLevel: 'warn',
      environment: { agentName: 'backstretch-tests', agentVersion: '1.0', disallowVideo: true },
      viewport: { width: viewport.width, height: viewport.height, dpi: ${DPI}, shape: viewport.shape || 'RECTANGLE',
                  mode: viewport.mode || 'HUB' },
      utcTime: Date.now(), localTimeAdjustment: 0,
      onRunTimeError: found => window.errors.push(...found.map(e => JSON.stringify(e))),
      onSendEvent: () => {},
    });
    window.shown = renderer;
    window.ready = false;
    renderer.init().then(() => { window.ready = true; }, e => { window.errors.push('init: ' + e); window.ready = true; });
  },
  measure(only) {
    const renderer = window.shown, view = document.body.firstChild, origin = view.getBoundingClientRect();
    const found = [];
    // The core's tree: a Pager's pages are all in it (and in the page, behind the current one).
    const visit = (core, shown, page) => {
      const component = renderer.componentMap[core.getUniqueId()];
      const type = TYPES[core.getType()] || String(core.getType());
      const id = core.getId();
      let visible = shown;
      if (component) {
        const element = component.container, style = getComputedStyle(element);
        visible = shown && style.display !== 'none' && style.visibility !== 'hidden';
        const b = element.getBoundingClientRect();
        if (!only || only.includes(id)) {
          found.push({ id, type, shown: visible, page, text: type === 'Text' ? element.innerText : '',
            box: [b.left - origin.left, b.top - origin.top, b.right - origin.left, b.bottom - origin.top],
            content: [element.scrollWidth, element.scrollHeight] });
        }
      }
      for (let i = 0; i < core.getChildCount(); i++) visit(core.getChildAt(i), visible, type === 'Pager' ? i : page);
    };
    if (renderer && renderer.top) visit(renderer.top.component, true, null);
    return found;
  },
};
`;

async function launch() {
  // Playwright starts Chromium headless with a fresh --user-data-dir of its own, removed on close.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS.filter(f => f !== '--headless') });
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
  await page.route(/^(https?|wss?|ftp):/, route => route.abort());
  const consoleErrors = [];
  page.on('console', m => {
    if ((m.type() === 'error' || m.type() === 'warning') && !m.text().includes('Failed to load resource')) consoleErrors.push(m.text());
  });
  page.on('pageerror', e => consoleErrors.push(String(e)));
  await page.setContent('<!DOCTYPE html><html><body style="margin:0;background:#000"></body></html>');
  await page.addScriptTag({ content: fs.readFileSync(RENDERER, 'utf8') });
  await page.addScriptTag({ content: IN_PAGE });
  await page.evaluate(() => AplRenderer.initEngine());
  await page.clock.install(); // after the engine starts: from here the page's time is ours to move
  return { browser, page, consoleErrors };
}

async function render(session, request) {
  const { page, consoleErrors } = session;
  consoleErrors.length = 0;
  const samples = request.samples || [];
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1000);
  await page.evaluate(r => window.backstretch.show(r), request);
  for (let waited = 0; !(await page.evaluate(() => window.ready)); waited += FRAME_MS) {
    if (waited > 10000) throw new Error('the renderer did not start');
    await page.clock.runFor(FRAME_MS);
  }
  await page.clock.runFor(FRAME_MS * 4); // the first frames lay the document out
  let components = await page.evaluate(() => window.backstretch.measure(null));
  if (request.pager) {
    // A pager lays out only the pages next to the current one: turn to each in turn and keep its own.
    const count = request.pages;
    const kept = components.filter(c => c.page === null);
    for (let index = 0; index < count; index++) {
      await page.evaluate(([id, value]) => {
        window.shown.executeCommands(JSON.stringify([{ type: 'SetPage', componentId: id, position: 'absolute', value }]));
      }, [request.pager, index]);
      await page.clock.runFor(400); // the page slides in
      kept.push(...(await page.evaluate(() => window.backstretch.measure(null))).filter(c => c.page === index));
    }
    components = kept;
  }
  const sampled = [];
  let now = 0;
  for (const at of samples) {
    if (at > now) { await page.clock.runFor(at - now); now = at; }
    sampled.push({ at_ms: at, components: await page.evaluate(w => window.backstretch.measure(w), request.watch || null) });
  }
  if (request.screenshot) {
    fs.mkdirSync(path.dirname(request.screenshot), { recursive: true });
    const view = await page.$('body > div');
    await view.screenshot({ path: request.screenshot, omitBackground: request.viewport.shape === 'ROUND' });
  }
  const errors = (await page.evaluate(() => window.errors)).concat(consoleErrors);
  return { errors, components, samples: sampled };
}

async function validate(validator, request) {
  const found = await validator.validate(request.document);
  return { findings: found.map(f => ({ level: f.level || 'ERROR', path: f.path, message: f.errorMessage })) };
}

async function answer(line) {
  try {
    const request = JSON.parse(line);
    if (request.op === 'validate') return await validate(validator, request);
    if (request.op === 'render') {
      session = session || await launch();
      return await render(session, request);
    }
    return { failure: 'unknown op ' + request.op };
  } catch (e) {
    return { failure: String((e && e.stack) || e) };
  }
}

async function finish() {
  if (session) {
    await session.browser.close();
  }
}

// One request at a time, in the order they came.
const validator = new StaticAplTemplateValidator();
let session = null;
let queue = Promise.resolve();
const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on('line', line => {
  if (!line.trim()) return;
  queue = queue.then(() => answer(line)).then(reply => { process.stdout.write(JSON.stringify(reply) + '\n'); });
});
lines.on('close', () => { queue = queue.then(finish); });
