// A Civitas node agent written with Autobahn|JS instead of the Java agent: ticket authentication,
// the apply and ping procedures, hello, telemetry. Prints one JSON line per event for the JUnit test
// that drives it (AutobahnInteropE2eTest). Usage: node agent.js WAMP_URL NODE_ID SECRET OTHER_NODE_ID
const autobahn = require('autobahn');
const [url, nodeId, secret, otherNode] = process.argv.slice(2);
const say = (event) => console.log(JSON.stringify(event));

const connection = new autobahn.Connection({
  url, realm: 'civitas', authmethods: ['ticket'], authid: nodeId,
  onchallenge: (session, method) => (method === 'ticket' ? secret : null),
  max_retries: 0,
});

connection.onopen = async (session, details) => {
  say({ event: 'joined', authid: details.authid, authrole: details.authrole });
  await session.register(`city.node.${nodeId}.apply`, (args) => {
    const desired = args[0];
    say({ event: 'applied', generation: desired.generation });
    return { nodeId, generation: desired.generation, appliedAtMillis: Date.now() };
  });
  await session.register(`city.node.${nodeId}.ping`, (args) => args[0]);
  try {
    await session.register(`city.node.${otherNode}.apply`, () => null);
    say({ event: 'registered-other-node' });
  } catch (e) {
    say({ event: 'refused', error: e.error });
  }
  const reply = await session.call('city.controller.hello', [{
    nodeId, protocolVersion: 1, appliedGeneration: 0,
    inventory: { hostname: 'js-board', architecture: process.arch, os: process.platform, kernel: '',
      javaVersion: 'none', agentVersion: 'autobahn-js', interfaces: [] },
  }]);
  say({ event: 'hello', controllerId: reply.controllerId });
  await session.publish(`city.node.${nodeId}.telemetry`,
    [{ nodeId, sensor: 'pm25', value: 42.0, unit: 'ug/m3', timeMillis: Date.now() }], {}, { acknowledge: true });
  say({ event: 'published' });
};

connection.onclose = (reason, details) => {
  say({ event: 'closed', reason, message: details && details.message });
  process.exit(0);
};

connection.open();
