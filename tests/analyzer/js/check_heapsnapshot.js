#!/usr/bin/env node
// check_heapsnapshot.js - memlab, an independent loader, reads a
// heapsnapshot written by `muppy-analyze export --format heapsnapshot`
// and prints what it saw as one JSON line:
//
//   node check_heapsnapshot.js FILE.heapsnapshot [EXPECT.json]
//
// {"nodes": N, "edges": E, "reachable": R, "ids_odd": bool,
//  "ids_unique": bool, "mismatches": [...], "checked": K,
//  "names": {"<node position>": "name"}}
//
// EXPECT.json, when given, is {"retained": {"<node position>": bytes}}:
// memlab's retained size of each of those nodes (its own dominator tree,
// heap-analysis' getFullHeapFromFile) is compared with the expected one;
// nodes memlab cannot reach from the root by strong edges are skipped
// (muppy and memlab treat garbage cycles differently) and counted.
'use strict';

const fs = require('fs');
const {getFullHeapFromFile} = require('@memlab/heap-analysis');
const {config} = require('@memlab/core');

async function main() {
  const [file, expectFile] = process.argv.slice(2);
  if (!file) {
    console.error('usage: check_heapsnapshot.js FILE [EXPECT.json]');
    process.exit(2);
  }
  config.muteConsole = true;
  const heap = await getFullHeapFromFile(file);
  const n = heap.nodes.length;
  // reachability from the root by strong (non-weak) edges, as memlab's
  // own dominator pass sees it
  const reached = new Uint8Array(n);
  const stack = [0];
  reached[0] = 1;
  let reachable = 1;
  while (stack.length > 0) {
    const node = heap.nodes.get(stack.pop());
    node.forEachReference(edge => {
      if (edge.type === 'weak') {
        return;
      }
      const t = edge.toNode.nodeIndex;
      if (!reached[t]) {
        reached[t] = 1;
        reachable++;
        stack.push(t);
      }
    });
  }
  const ids = new Set();
  let odd = true;
  let edges = 0;
  heap.nodes.forEach(node => {
    if (node.id % 2 !== 1) {
      odd = false;
    }
    ids.add(node.id);
    edges += node.edge_count;
  });
  const out = {
    nodes: n,
    edges: heap.edges.length,
    edges_counted: edges,
    reachable,
    ids_odd: odd,
    ids_unique: ids.size === n,
    checked: 0,
    skipped_unreachable: 0,
    mismatches: [],
    names: {},
  };
  if (expectFile) {
    const expect = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
    for (const [pos, bytes] of Object.entries(expect.retained || {})) {
      const i = Number(pos);
      const node = heap.nodes.get(i);
      if (!node) {
        out.mismatches.push({node: i, error: 'no such node'});
        continue;
      }
      if (!reached[i]) {
        out.skipped_unreachable++;
        continue;
      }
      out.checked++;
      if (node.retainedSize !== bytes) {
        if (out.mismatches.length < 20) {
          out.mismatches.push({node: i, name: node.name,
                               memlab: node.retainedSize, muppy: bytes});
        } else {
          out.mismatches.push(null);
        }
      }
    }
    for (const pos of expect.names || []) {
      const node = heap.nodes.get(pos);
      out.names[pos] = node ? node.name + '|' + node.type : null;
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(e => {
  console.error('check_heapsnapshot: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
