// Plain JavaScript on purpose: it must run, and fail clearly, on whatever Node the machine has.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  console.error(
    `Tobira needs Node.js 24 LTS, but this is Node.js ${process.versions.node}. ` +
      'Run it through npm (npm start, npm test, npx tobira): `npm ci` installs Node 24 into node_modules/.bin.',
  );
  process.exit(1);
}
