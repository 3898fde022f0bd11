/**
 * The device setting of prm3 mask / prm3 scpi: a text field that keeps working when typed
 * into, plus a list of the PRM3s the chosen meter reports and a button to ask again.
 */
import { isDeviceSummary, isMeterId, textOf, type DeviceSummary, type MeterApi } from './meter-api';

// The picker's "choose…" entry: selecting it leaves the typed device as it is.
const PICK = '__pick__';

export interface DevicePickerFields {
  input: JQuery;
  choices: JQuery;
  refresh: JQuery;
  note: JQuery;
  /** The node's meter config select. */
  meter: JQuery;
}

export function setupDevicePicker(api: MeterApi, fields: DevicePickerFields): void {
  const { meterText, meterRequest, post } = api;
  let devices: DeviceSummary[] = [];
  let requests = 0;

  function addChoice(value: string, label: string): void {
    $('<option></option>').val(value).text(label).appendTo(fields.choices);
  }

  function matchingChoice(): string {
    const typed = textOf(fields.input.val()).trim();
    let found = PICK;
    fields.choices.find('option').each(function () {
      const value = textOf($(this).val());
      if (value !== PICK && value.toUpperCase() === typed.toUpperCase()) found = value;
    });
    return found;
  }

  function fill(): void {
    fields.choices.empty();
    addChoice(PICK, meterText('egauge-meter.picker.choose'));
    addChoice('', meterText('egauge-meter.picker.first'));
    addChoice('msg', meterText('egauge-meter.picker.fromMsg'));
    for (const device of devices) {
      const model = textOf(device.model) || 'PRM3';
      const port = textOf(device.port);
      addChoice(
        device.sn,
        port
          ? meterText('egauge-meter.picker.bySerial', { sn: device.sn, model, port })
          : meterText('egauge-meter.picker.bySerialOnly', { sn: device.sn, model }),
      );
      if (port) addChoice(port, meterText('egauge-meter.picker.byPort', { port, model, sn: device.sn }));
    }
    fields.choices.val(matchingChoice());
  }

  function note(text: string, isError: boolean): void {
    fields.note.text(text).css('color', isError ? 'var(--red-ui-text-color-error, #d6615f)' : '');
  }

  function load(): void {
    const meterId = fields.meter.val();
    if (!isMeterId(meterId)) {
      devices = [];
      fill();
      note(meterText('egauge-meter.picker.noMeter'), false);
      return;
    }
    const request = ++requests;
    note(meterText('egauge-meter.picker.searching'), false);
    const ask = meterRequest(meterId, 'devices');
    ask.body['filter'] = 'prm3';
    post(ask.route, ask.body, (reply) => {
      // A newer request (other meter, second click) decides what the list shows.
      if (request !== requests) return;
      if (!reply.ok) {
        note(textOf(reply.error) || meterText('egauge-meter.errors.badReply'), true);
        return;
      }
      const listed = reply['devices'];
      devices = Array.isArray(listed) ? listed.filter(isDeviceSummary) : [];
      fill();
      note(
        devices.length === 0
          ? meterText('egauge-meter.picker.none')
          : meterText('egauge-meter.picker.found', { count: devices.length }),
        false,
      );
    });
  }

  fill();
  fields.choices.on('change', () => {
    const value = fields.choices.val();
    if (typeof value === 'string' && value !== PICK) fields.input.val(value).trigger('change');
  });
  fields.input.on('change keyup', () => {
    fields.choices.val(matchingChoice());
  });
  fields.refresh.on('click', (event) => {
    event.preventDefault();
    load();
  });
  fields.meter.on('change', load);
  load();
}
