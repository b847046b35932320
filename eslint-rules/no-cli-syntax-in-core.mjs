// Core serves two front ends (the CLI and VS Code), so a string in src/core that spells a CLI
// flag or a `pycom-modem …` command line reads wrong in VS Code, where the same step is a button
// or a setting. Core should state the action as data and let each front end render it.
// Issue "One port owner, one upgrade run", section 3.

/** A long flag as a word of its own: `--updater`, `--via-board`; not `---` nor `a--b`. */
const CLI_FLAG = /(?<![\w-])--[a-z][a-z-]+/;
/** The CLI's name followed by a space, as in a command line (`pycom-modem info`). */
const CLI_NAME = /(?<![\w-])pycom-modem /;

/** The CLI syntax found in `text`, or undefined. */
export function findCliSyntax(text) {
  const match = CLI_FLAG.exec(text) ?? CLI_NAME.exec(text);
  return match ? match[0].trim() : undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'suggestion',
    docs: {
      description: 'Keep CLI flags and `pycom-modem …` command lines out of src/core strings',
    },
    schema: [],
    messages: {
      cliSyntax:
        "CLI syntax '{{found}}' in a core string: VS Code shows core's text too. State the action as data " +
        'and let each front end render it (a flag in the CLI, a button in VS Code).',
    },
  },
  create(context) {
    function check(node, text) {
      const found = findCliSyntax(text);
      if (found !== undefined) context.report({ node, messageId: 'cliSyntax', data: { found } });
    }
    return {
      Literal(node) {
        if (typeof node.value === 'string') check(node, node.value);
      },
      TemplateLiteral(node) {
        // The placeholders stand in as a non-word character, so `--updater ${path}` still matches
        // while text on both sides of a placeholder is not glued into a word.
        check(node, node.quasis.map((quasi) => quasi.value.cooked ?? quasi.value.raw).join('\u0000'));
      },
    };
  },
};
