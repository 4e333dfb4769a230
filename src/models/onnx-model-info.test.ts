import { describe, expect, it } from 'vitest';
import { readOnnxModelInfo, treeDepthsFromNodes } from './onnx-model-info.js';

describe('treeDepthsFromNodes', () => {
  it('reads full (oblivious) trees, per tree id in order', () => {
    // tree 1: depth 1 (3 nodes); tree 0: depth 2 (7 nodes); listed out of order.
    const treeIds = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const nodeIds = [0, 1, 2, 0, 1, 2, 3, 4, 5, 6];
    const modes = ['BRANCH_LEQ', 'LEAF', 'LEAF', 'BRANCH_LEQ', 'BRANCH_LEQ', 'BRANCH_LEQ', 'LEAF', 'LEAF', 'LEAF', 'LEAF'];
    const t = [1, 0, 0, 1, 3, 5, 0, 0, 0, 0];
    const f = [2, 0, 0, 2, 4, 6, 0, 0, 0, 0];
    expect(treeDepthsFromNodes(treeIds, nodeIds, modes, t, f)).toEqual([2, 1]);
  });

  it('walks a tree that is not full to its longest path', () => {
    // root → (leaf, branch → (leaf, leaf)): 5 nodes, depth 2.
    expect(
      treeDepthsFromNodes([0, 0, 0, 0, 0], [0, 1, 2, 3, 4], ['BRANCH_LEQ', 'LEAF', 'BRANCH_LEQ', 'LEAF', 'LEAF'], [1, 0, 3, 0, 0], [2, 0, 4, 0, 0]),
    ).toEqual([2]);
    // A 7-node chain has depth 3, though 7 nodes would also fit a full tree of depth 2.
    const modes = ['BRANCH_LEQ', 'LEAF', 'BRANCH_LEQ', 'LEAF', 'BRANCH_LEQ', 'LEAF', 'LEAF'];
    expect(treeDepthsFromNodes([0, 0, 0, 0, 0, 0, 0], [0, 1, 2, 3, 4, 5, 6], modes, [1, 0, 3, 0, 5, 0, 0], [2, 0, 4, 0, 6, 0, 0])).toEqual([3]);
  });
});

describe('readOnnxModelInfo', () => {
  it('refuses bytes that are not an ONNX model', () => {
    expect(() => readOnnxModelInfo(new TextEncoder().encode('plain text, not protobuf'))).toThrow();
    expect(() => readOnnxModelInfo(new Uint8Array(0))).toThrow(/no graph/);
  });
});
