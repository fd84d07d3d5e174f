// The listen page: plays a sink with the shared WHEP client (whep-client.js) and shows its level.
// The page's figures are in window.whep for scripts and tests: {sink, state, listener, packetsReceived,
// totalAudioEnergy, audioLevel, error}.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const whep = (window.whep = WhepClient.player());

  function update(p) {
    const text = { connecting: 'Connecting to ' + p.sink + '...', playing: 'Playing ' + p.sink, stopped: 'Stopped' }[p.state];
    $('status').textContent = text || (p.error || p.state);
    $('level').style.width = WhepClient.meterPercent(p.audioLevel) + '%';
    $('stop').disabled = p.state === 'stopped';
  }

  $('form').addEventListener('submit', (e) => {
    e.preventDefault();
    whep.play($('sink').value.trim(), $('audio'), update).catch(() => {}); // the error is in whep.error and shown
  });
  $('stop').addEventListener('click', () => whep.stop());
  window.addEventListener('pagehide', () => whep.stop());
  const wanted = new URLSearchParams(location.search).get('sink');
  if (wanted) $('sink').value = wanted;
})();
