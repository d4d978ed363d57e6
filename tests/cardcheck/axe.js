// Checks email HTML with axe-core (WCAG 2.x A and AA rules) in jsdom, offline.
// Input on stdin: a JSON list of HTML documents. Output: a JSON list, one list of violations per
// document, each {id, impact, help, targets}. jsdom lays nothing out, so checks that need layout
// (colour contrast) come back "incomplete", not as violations: screenshots cover those.
const axe = require("axe-core");
const { JSDOM, VirtualConsole } = require("jsdom");

async function violations(html) {
  const dom = new JSDOM(html, { runScripts: "outside-only", virtualConsole: new VirtualConsole() });
  dom.window.eval(axe.source);
  const result = await dom.window.axe.run(dom.window.document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
  });
  dom.window.close();
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const found = [];
  for (const html of JSON.parse(input)) {
    found.push(await violations(html));
  }
  process.stdout.write(JSON.stringify(found));
});
