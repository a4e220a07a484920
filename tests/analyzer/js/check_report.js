#!/usr/bin/env node
// check_report.js - open a report of `muppy-analyze report` in headless
// Chromium (Debian's, through playwright-core's DevTools-protocol
// driver), with the network off, and print what the page shows as one
// JSON line:
//
//   node check_report.js REPORT.html [SCREENSHOT.png]
//
// {"requests": [urls other than the page itself], "console_errors": [...],
//  "figures": {"total-objects": 63, ...}, "sections": [...ids],
//  "treemap_boxes": N, "sorted": bool, "title": "..."}
//
// Every request the page makes is recorded and refused: a report must
// need nothing but its own file.
'use strict';

const path = require('path');
const {chromium} = require('playwright-core');

const CHROMIUM = process.env.MUPPY_CHROMIUM || '/usr/bin/chromium';

async function main() {
  const [file, shot] = process.argv.slice(2);
  if (!file) {
    console.error('usage: check_report.js REPORT.html [SCREENSHOT.png]');
    process.exit(2);
  }
  const url = 'file://' + path.resolve(file);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
           '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync',
           '--host-resolver-rules=MAP * ~NOTFOUND'],
  });
  const out = {requests: [], console_errors: [], figures: {}, sections: []};
  try {
    const context = await browser.newContext({
      offline: true,
      viewport: {width: 1280, height: 1100},
    });
    const page = await context.newPage();
    page.on('request', req => {
      if (req.url() !== url) {
        out.requests.push(req.url());
      }
    });
    page.on('console', msg => {
      if (msg.type() === 'error') {
        out.console_errors.push(msg.text());
      }
    });
    page.on('pageerror', err => out.console_errors.push(String(err)));
    await context.route('**/*', route => {
      if (route.request().url() === url) {
        return route.continue();
      }
      return route.abort();
    });
    const t0 = Date.now();
    await page.goto(url, {waitUntil: 'load'});
    out.load_ms = Date.now() - t0;
    out.title = await page.title();
    Object.assign(out, await page.evaluate(() => {
      const figures = {};
      document.querySelectorAll('[id][data-v]').forEach(e => {
        figures[e.id] = Number(e.getAttribute('data-v'));
      });
      return {
        figures,
        sections: Array.from(document.querySelectorAll('section'))
            .map(s => s.id),
        treemap_boxes: document.querySelectorAll('#treemap svg rect')
            .length,
        type_rows: document.querySelectorAll('#by-type tbody tr').length,
        leak_rows: document.querySelectorAll('#leaks tbody tr').length,
        leak_types: Array.from(document.querySelectorAll(
            '#leaks tbody tr code')).map(c => c.textContent),
      };
    }));
    // the tables sort: click "count" in the types table, twice
    const header = page.locator('#by-type th', {hasText: 'count'});
    if (await header.count() > 0) {
      await header.click();
      await header.click();
    }
    out.sorted = await page.evaluate(() => {
      const v = Array.from(document.querySelectorAll(
          '#by-type tbody tr td:nth-child(3)'))
          .map(td => Number(td.getAttribute('data-v')));
      for (let i = 1; i < v.length; i++) {
        if (v[i - 1] < v[i]) {
          return false;
        }
      }
      return v.length > 0;
    });
    await page.evaluate(() => window.scrollTo(0, 0));
    if (shot) {
      await page.screenshot({path: shot, fullPage: false});
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(e => {
  console.error('check_report: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
