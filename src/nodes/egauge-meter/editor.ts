/** The `egauge-meter` dialog: settings from the node's schema; the connection test and the transport note. */
import { editorCredentials, editorDefaults } from '../../editor/defaults';
import { connectionTestBody, meterApi, type Reply } from '../../editor/meter-api';
import type { EditorNode } from '../../editor/red';
import { normalizeMeterUrl } from '../../webapi/url';
import { transportRisk, type TransportRisk } from '../transport-warnings';
import { meterSettings } from './settings';

const api = meterApi(RED, (options) => {
  void $.ajax(options);
});

const TRANSPORT_NOTES: Record<TransportRisk, string> = {
  plainHttp: 'egauge-meter.transport.plainHttp',
  verifyOff: 'egauge-meter.transport.verifyOff',
};

/** The note under the address: how readable the login is on the way to the meter, as the runtime warns at deploy. */
function transportNote(url: unknown, verify: boolean): string | null {
  let normalized: string;
  try {
    normalized = normalizeMeterUrl(url);
  } catch {
    return null; // the field itself is marked invalid, or holds a `${NAME}` filled in at deploy
  }
  const risk = transportRisk(normalized, verify);
  return risk === null ? null : TRANSPORT_NOTES[risk];
}

function line(colour: string, icon: string, text: string): JQuery {
  return $('<div></div>')
    .css('color', colour)
    .append(`<i class="fa ${icon}"></i> `)
    .append($('<span></span>').text(text));
}

function showResult(area: JQuery, reply: Reply, node: EditorNode): void {
  area.empty().show();
  if (!reply.ok) {
    const error =
      typeof reply.error === 'string' && reply.error !== '' ? reply.error : node._('egauge-meter.errors.badReply');
    line('var(--red-ui-text-color-error, #d6615f)', 'fa-exclamation-circle', error).appendTo(area);
    return;
  }
  const rights = Array.isArray(reply['rights']) ? reply['rights'].join(', ') : '';
  const user = typeof reply['user'] === 'string' && reply['user'] !== '' ? reply['user'] : '?';
  line(
    'var(--red-ui-text-color-success, #5a8)',
    'fa-check',
    node._('egauge-meter.test.connected', { user, rights: rights || '–' }),
  ).appendTo(area);
  if (reply['ctrl'] !== true) {
    line('var(--red-ui-text-color-warning, #c9891b)', 'fa-warning', node._('egauge-meter.test.noCtrl')).appendTo(area);
    return;
  }
  const devices = Array.isArray(reply['devices']) ? reply['devices'] : [];
  if (devices.length === 0) {
    $('<div></div>').text(node._('egauge-meter.test.noDevices')).appendTo(area);
    return;
  }
  const list = $('<ul></ul>').css({ margin: '4px 0 0 18px' }).appendTo(area);
  for (const device of devices) {
    if (typeof device === 'object' && device !== null && typeof Reflect.get(device, 'sn') === 'string') {
      // The reply was checked for an sn; describeDevice reads only what a device summary has.
      $('<li></li>')
        .text(api.describeDevice(device as Parameters<typeof api.describeDevice>[0]))
        .appendTo(list);
    }
  }
}

RED.nodes.registerType('egauge-meter', {
  category: 'config',
  defaults: editorDefaults(meterSettings, 'egauge-meter'),
  credentials: editorCredentials(meterSettings),
  icon: 'egauge-meter.svg',
  label() {
    return this.name || (typeof this['url'] === 'string' && this['url']) || 'egauge-meter';
  },
  oneditprepare() {
    const node = this;
    if (node['verify'] === undefined) $('#node-config-input-verify').prop('checked', true);
    const url = $('#node-config-input-url');
    const verify = $('#node-config-input-verify');
    function showTransport(): void {
      const key = transportNote(url.val(), verify.prop('checked') === true);
      const note = $('#egauge-meter-transport-note');
      note.toggle(key !== null);
      note.find('span').text(key === null ? '' : node._(key));
    }
    url.on('change keyup input', showTransport);
    verify.on('change', showTransport);
    showTransport();
    const area = $('#egauge-meter-test-result');
    $('#egauge-meter-test-button').on('click', function (event) {
      event.preventDefault();
      const body = connectionTestBody(node.id, {
        url: url.val(),
        username: $('#node-config-input-username').val(),
        password: $('#node-config-input-password').val(),
        tls: $('#node-config-input-tls').val(),
        verify: verify.prop('checked'),
        timeout: $('#node-config-input-timeout').val(),
      });
      area
        .empty()
        .show()
        .append($('<span></span>').text(node._('egauge-meter.test.running')));
      const button = $(this).prop('disabled', true);
      api.post('egauge-meter/test', body, (reply) => {
        button.prop('disabled', false);
        showResult(area, reply, node);
      });
    });
  },
});
