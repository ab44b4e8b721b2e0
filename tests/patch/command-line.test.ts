import { describe, expect, test } from "vitest";
import { parseCommandLine } from "../../src/patch/command-line.js";

function argvOf(line: string): string[] {
  const parsed = parseCommandLine(line);
  if (!parsed.ok) throw new Error(`expected ${line} to parse: ${parsed.error.message}`);
  return parsed.argv;
}

function errorOf(line: string) {
  const parsed = parseCommandLine(line);
  if (parsed.ok) throw new Error(`expected ${line} to be refused, got ${JSON.stringify(parsed.argv)}`);
  return parsed.error;
}

describe("parseCommandLine", () => {
  test("splits words and honours quotes and backslashes like sh", () => {
    expect(argvOf("npm test -- --run")).toEqual(["npm", "test", "--", "--run"]);
    expect(argvOf(`npx vitest run -t "adds two numbers" 'it''s'`)).toEqual(["npx", "vitest", "run", "-t", "adds two numbers", "its"]);
    expect(argvOf(String.raw`grep -r a\ b "say \"hi\"" src`)).toEqual(["grep", "-r", "a b", 'say "hi"', "src"]);
    expect(argvOf("  pytest   -q  ")).toEqual(["pytest", "-q"]);
  });

  test("variables stay literal, whatever the quoting", () => {
    expect(argvOf("echo $HOME")).toEqual(["echo", "$HOME"]);
    expect(argvOf('echo "$HOME/x" \'$HOME\' ${HOME}x "${HOME}y" $1 $$ $? \\$PATH "\\$PATH"')).toEqual([
      "echo", "$HOME/x", "$HOME", "${HOME}x", "${HOME}y", "$1", "$$", "$?", "$PATH", "$PATH",
    ]);
    // What an explicit `sh -c` gets is exactly what was written, for sh to expand.
    expect(argvOf(`sh -c "echo \${HOME}x && npm test"`)).toEqual(["sh", "-c", "echo ${HOME}x && npm test"]);
    expect(argvOf("sh -c 'npm ci && npm test | tee out.log'")).toEqual(["sh", "-c", "npm ci && npm test | tee out.log"]);
  });

  test("globs reach the program unexpanded", () => {
    expect(argvOf("eslint src/*.ts test/**/x?.js")).toEqual(["eslint", "src/*.ts", "test/**/x?.js"]);
    expect(argvOf("ls ~/x {a,b}")).toEqual(["ls", "~/x", "{a,b}"]);
  });

  test("a comment is dropped, a # inside a word is kept", () => {
    expect(argvOf("npm test # the unit tests")).toEqual(["npm", "test"]);
    expect(argvOf("node check.js issue#3 '#x'")).toEqual(["node", "check.js", "issue#3", "#x"]);
  });

  test("leading NAME=value words become the command's env", () => {
    const parsed = parseCommandLine("CI=1 NODE_ENV='test run' npx vitest run");
    expect(parsed).toEqual({ ok: true, argv: ["npx", "vitest", "run"], env: { CI: "1", NODE_ENV: "test run" } });
    expect(parseCommandLine("npm test FOO=1")).toEqual({ ok: true, argv: ["npm", "test", "FOO=1"], env: {} });
  });

  test("an assignment that relies on expansion is refused", () => {
    const error = errorOf("PATH=$PATH:./bin npm test");
    expect(error.code).toBe("invalid_request");
    expect(error.message).toContain("does not expand variables");
    expect(error.hint).toContain("sh -c");
  });

  test.each([
    ["npm ci && npm test", '"&&"'],
    ["npm test || true", '"||"'],
    ["npm test | tee log", '"|"'],
    ["npm run lint; npm test", '";"'],
    ["npm test > out.log", '">"'],
    ["node x.js < in.txt", '"<"'],
    ["npm start &", '"&"'],
    ["(cd pkg && npm test)", '"("'],
    ["echo `whoami`", "backticks"],
    ['echo "$(whoami)"', '"$("'],
    ["echo $(whoami)", '"$("'],
  ])("refuses %s, naming %s and how to fix it", (line, named) => {
    const error = errorOf(line);
    expect(error.code).toBe("invalid_request");
    expect(error.message).toContain(named);
    expect(error.message).toContain(line);
    expect(error.message).toContain("write it as separate verification lines, or wrap it explicitly: sh -c '…'");
    expect(error.hint).toContain("sh -c");
  });

  test("operators inside quotes are plain text", () => {
    expect(argvOf(`node -e "console.log(1 && 2)" 'a|b' "x;y" '$(no)' '\`no\`'`)).toEqual([
      "node", "-e", "console.log(1 && 2)", "a|b", "x;y", "$(no)", "`no`",
    ]);
  });

  test("empty lines, lone assignments and unterminated quotes are refused", () => {
    expect(errorOf("").message).toContain("is empty");
    expect(errorOf("   ").message).toContain("is empty");
    expect(errorOf("# just a comment").message).toContain("is empty");
    expect(errorOf("FOO=1").message).toContain("names no command");
    expect(errorOf(`npm test -t "unclosed`).message).toContain("unterminated double quote");
  });
});
