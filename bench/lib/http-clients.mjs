// The two clients the HTTP benches measure, each as a function that makes one request to `origin`
// and reads the whole body.
/**
 * npm undici is imported only for `undici.request`: once loaded it installs its own global
 * dispatcher, and the built-in fetch would then run on npm undici's Agent, not Node's bundled one.
 * Returns the undici module (or undefined for fetch) and the request function.
 */
export async function prepareClient(client, origin, connections) {
  if (client === 'fetch') {
    return {
      undici: undefined,
      call: async () => {
        const res = await fetch(`${origin}/`);
        await res.arrayBuffer();
      },
    };
  }
  if (client !== 'undici.request') throw new Error(`unknown client ${client}`);
  const undici = await import('undici');
  const agent = new undici.Agent({ connections });
  return {
    undici,
    call: async () => {
      const res = await undici.request(`${origin}/`, { dispatcher: agent });
      await res.body.arrayBuffer();
    },
  };
}
