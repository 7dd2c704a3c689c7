/**
 * The TextMate injection grammar for `{{ }}` in YAML, loaded the way VS Code loads
 * it (vscode-textmate with the Oniguruma engine) under a small stand-in YAML grammar,
 * and the samples' tokens checked by scope.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, type IGrammar, parseRawGrammar, Registry } from 'vscode-textmate';

const root = path.resolve(__dirname, '..', '..');
const INJECTION = 'attune.expression.injection';

interface Contribution {
  scopeName: string;
  path: string;
  injectTo?: string[];
}

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: { grammars?: Contribution[] };
};

// Enough of YAML to give the injection the places VS Code's grammar gives it: comments,
// keys, quoted strings and plain values.
const YAML_STAND_IN = {
  scopeName: 'source.yaml',
  patterns: [
    { name: 'comment.line.number-sign.yaml', match: '#.*$' },
    { name: 'entity.name.tag.yaml', match: '^\\s*[A-Za-z_][\\w-]*(?=:)' },
    { name: 'punctuation.separator.key-value.mapping.yaml', match: ':(?=\\s|$)' },
    { name: 'string.quoted.double.yaml', begin: '"', end: '"', patterns: [{ match: '\\\\.' }] },
    { name: 'string.quoted.single.yaml', begin: "'", end: "'" },
    { name: 'string.unquoted.plain.out.yaml', begin: '(?=[^\\s#"\'])', end: '(?=\\s#)|$' },
  ],
};

async function loadGrammar(): Promise<IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const contribution = manifest.contributes.grammars?.find((g) => g.scopeName === INJECTION);
  assert.ok(contribution, 'package.json contributes the injection grammar');
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: (scopeName: string) => {
      if (scopeName === 'source.yaml') {
        return Promise.resolve(parseRawGrammar(JSON.stringify(YAML_STAND_IN), 'yaml.json'));
      }
      if (scopeName === INJECTION) {
        const file = path.join(root, contribution.path);
        return Promise.resolve(parseRawGrammar(readFileSync(file, 'utf8'), file));
      }
      return Promise.resolve(null);
    },
    getInjections: (scopeName: string) => (contribution.injectTo?.includes(scopeName) ? [INJECTION] : undefined),
  });
  const grammar = await registry.loadGrammar('source.yaml');
  assert.ok(grammar);
  return grammar;
}

/** Each token's text with its innermost scope. */
function tokens(grammar: IGrammar, line: string): [string, string][] {
  const result = grammar.tokenizeLine(line, INITIAL);
  return result.tokens.map((token) => [line.slice(token.startIndex, token.endIndex), token.scopes[token.scopes.length - 1] ?? '']);
}

function scopeOf(found: [string, string][], text: string): string | undefined {
  return found.find(([t]) => t === text)?.[1];
}

describe('the {{ }} injection grammar', () => {
  let grammar: IGrammar;

  before(async () => {
    grammar = await loadGrammar();
  });

  it('is contributed for YAML and packaged', () => {
    const contribution = manifest.contributes.grammars?.find((g) => g.scopeName === INJECTION);
    assert.deepEqual(contribution?.injectTo, ['source.yaml']);
    const ignore = readFileSync(path.join(root, '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!syntaxes\/\*\*$/m);
  });

  it('scopes namespaces, task names, fields and variables', () => {
    const found = tokens(grammar, 'message: "Done: {{ task.pack_order.sent_id }} {{ workflow.shipped }}"');
    assert.equal(scopeOf(found, '{{'), 'punctuation.section.embedded.begin.attune');
    assert.equal(scopeOf(found, '}}'), 'punctuation.section.embedded.end.attune');
    assert.equal(scopeOf(found, 'task'), 'variable.language.namespace.attune');
    assert.equal(scopeOf(found, 'pack_order'), 'entity.name.type.task.attune');
    assert.equal(scopeOf(found, 'sent_id'), 'variable.other.property.attune');
    assert.equal(scopeOf(found, 'workflow'), 'variable.language.namespace.attune');
    assert.equal(scopeOf(found, 'shipped'), 'variable.other.property.attune');
    // The text around the blocks stays the YAML string's.
    assert.equal(scopeOf(found, 'Done: '), 'string.quoted.double.yaml');
  });

  it('scopes functions, parameters, numbers, keywords, strings and operators', () => {
    const found = tokens(grammar, "when: \"{{ succeeded() and length(parameters.items) >= 2.5 or 'x' in keys(item) }}\"");
    assert.equal(scopeOf(found, 'succeeded'), 'support.function.builtin.attune');
    assert.equal(scopeOf(found, 'length'), 'support.function.builtin.attune');
    assert.equal(scopeOf(found, 'and'), 'keyword.operator.logical.attune');
    assert.equal(scopeOf(found, 'parameters'), 'variable.language.namespace.attune');
    assert.equal(scopeOf(found, 'items'), 'variable.parameter.attune');
    assert.equal(scopeOf(found, '>='), 'keyword.operator.comparison.attune');
    assert.equal(scopeOf(found, '2.5'), 'constant.numeric.attune');
    assert.equal(scopeOf(found, "'x'"), 'string.quoted.single.attune');
    assert.equal(scopeOf(found, 'item'), 'variable.language.namespace.attune');
    assert.equal(scopeOf(found, 'unknown_fn'), undefined);
  });

  it('works in single-quoted and plain YAML values', () => {
    const single = tokens(grammar, 'x: \'{{ "a" + other }}\'');
    assert.equal(scopeOf(single, '"a"'), 'string.quoted.double.attune');
    assert.equal(scopeOf(single, '+'), 'keyword.operator.arithmetic.attune');
    assert.equal(scopeOf(single, 'other'), 'variable.other.readwrite.attune');
    const plain = tokens(grammar, 'message: Shipping {{ range(3) }} # a comment');
    assert.equal(scopeOf(plain, 'range'), 'support.function.builtin.attune');
    assert.equal(scopeOf(plain, '3'), 'constant.numeric.attune');
    assert.equal(scopeOf(plain, '# a comment'), 'comment.line.number-sign.yaml');
  });

  it('leaves comments alone', () => {
    const found = tokens(grammar, '# {{ task.a }}');
    assert.deepEqual(found, [['# {{ task.a }}', 'comment.line.number-sign.yaml']]);
  });
});
