// Runs before the first paint (a blocking script in <head>): puts the remembered theme —
// light, dark, or the system's — on <html data-theme>, so a dark window never flashes
// light while the app loads. src/renderer/src/lib/theme.ts keeps it current afterwards.
(function () {
  var pref = null;
  try { pref = localStorage.getItem('outpost.theme'); } catch (e) { /* storage off: follow the system */ }
  var dark = pref === 'dark' || (pref !== 'light' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
})();
