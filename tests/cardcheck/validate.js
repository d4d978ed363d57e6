// Validates Adaptive Cards with Microsoft's own SDK (adaptivecards 3.0.6), offline.
// Input on stdin: a JSON list of cards. Output: a JSON list, one list of problems per card.
const AC = require("adaptivecards/dist/adaptivecards.js");

function problems(json) {
  const context = new AC.SerializationContext(new AC.Version(1, 5));
  const card = new AC.AdaptiveCard();
  card.parse(json, context);
  const found = [];
  for (let i = 0; i < context.eventCount; i++) {
    found.push(context.getEventAt(i).message);
  }
  for (const event of card.validateProperties().validationEvents) {
    found.push(event.message);
  }
  return found;
}

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(problems)));
});
