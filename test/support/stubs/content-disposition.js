// Swagger UI is served by @fastify/static, which require()s content-disposition 3, an ES module. Node 20.19+ loads
// that with require(); Jest's module system on Node 20 cannot. @fastify/static calls only `create`, for attachment
// downloads the docs never send, so this CommonJS stand-in keeps the real docs route under test (jest.config.js maps
// the module here for the integration project). The API's own downloads build their header without it.
module.exports = {
  create: (filename) => `attachment; filename="${String(filename).replace(/[^\x20-\x7e]|["\\]/g, '_')}"`,
};
