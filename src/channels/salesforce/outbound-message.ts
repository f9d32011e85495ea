/**
 * The SOAP body a Salesforce workflow rule (or flow) sends as an Outbound Message
 * (`http://soap.sforce.com/2005/09/outbound`): an `Envelope`/`Body`/`notifications` with
 * OrganizationId, ActionId, SessionId, EnterpriseUrl, PartnerUrl and up to 100
 * `Notification`s, each with its `Id` and an `sObject` (`xsi:type="sf:Opportunity"`) whose
 * children are the fields the brand chose to send. Read with fast-xml-parser with entity
 * and DTD processing off: a body with a DOCTYPE or an entity declaration is refused before
 * it is parsed (nothing is expanded), and the size is limited by the route.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { RecordChange } from './mapping.js';

export const MAX_OUTBOUND_MESSAGE_BYTES = 2 * 1024 * 1024;
/** Salesforce sends at most 100 notifications a message; a few more are taken. */
export const MAX_NOTIFICATIONS = 200;

export class OutboundMessageError extends Error {}

export interface OutboundMessage {
  organizationId: string | null;
  actionId: string | null;
  enterpriseUrl: string | null;
  partnerUrl: string | null;
  notifications: RecordChange[];
}

const ACK =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
  '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>';

/** The acknowledgement Salesforce expects; without it, it delivers the message again (for up to 24 hours). */
export function ackBody(): string {
  return ACK;
}

function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A SOAP 1.1 fault: `soapenv:Client` for what the sender must change, `soapenv:Server` for ours. */
export function faultBody(message: string, code: 'Client' | 'Server' = 'Client'): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault>' +
    `<faultcode>soapenv:${code}</faultcode><faultstring>${xmlText(message)}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`
  );
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (_name, jpath) => jpath === 'Envelope.Body.notifications.Notification',
});

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An element's text: a plain string, the text of an element with attributes, null for `xsi:nil` or an empty element. */
function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isNode(value)) {
    if (value['@_nil'] === 'true') return null;
    const text = value['#text'];
    return typeof text === 'string' ? text : text === undefined ? null : String(text);
  }
  return null;
}

/** Reads an Outbound Message; throws OutboundMessageError saying what is wrong. */
export function parseOutboundMessage(body: Buffer): OutboundMessage {
  if (body.length === 0) throw new OutboundMessageError('The body is empty: send the Outbound Message (a SOAP envelope) as text/xml.');
  if (body.length > MAX_OUTBOUND_MESSAGE_BYTES) throw new OutboundMessageError(`The body is larger than ${MAX_OUTBOUND_MESSAGE_BYTES / 1024 / 1024} MiB.`);
  const text = body.toString('utf8');
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new OutboundMessageError('The body declares a DTD or entities (<!DOCTYPE / <!ENTITY): they are not accepted, and an Outbound Message has none.');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new OutboundMessageError(`The body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col}).`);
  let doc: Node;
  try {
    doc = parser.parse(text) as Node;
  } catch (error) {
    throw new OutboundMessageError(`The body is not well-formed XML: ${(error as Error).message.slice(0, 200)}`);
  }
  const envelope = doc.Envelope;
  const soapBody = isNode(envelope) ? envelope.Body : undefined;
  const notifications = isNode(soapBody) ? soapBody.notifications : undefined;
  if (!isNode(notifications)) {
    throw new OutboundMessageError('The body is not an Outbound Message: it needs soapenv:Envelope / soapenv:Body / notifications (xmlns="http://soap.sforce.com/2005/09/outbound").');
  }
  const list = (notifications.Notification as unknown[] | undefined) ?? [];
  if (list.length === 0) throw new OutboundMessageError('The Outbound Message has no Notification.');
  if (list.length > MAX_NOTIFICATIONS) throw new OutboundMessageError(`The Outbound Message has ${list.length} notifications; at most ${MAX_NOTIFICATIONS} are taken.`);
  const changes = list.map((item, i): RecordChange => {
    const at = `Notification ${i + 1}`;
    if (!isNode(item)) throw new OutboundMessageError(`${at} is empty.`);
    const id = textOf(item.Id)?.trim();
    if (!id) throw new OutboundMessageError(`${at} has no Id.`);
    if (id.length > 100) throw new OutboundMessageError(`${at}: the Id is longer than 100 characters.`);
    const sObject = item.sObject;
    if (!isNode(sObject)) throw new OutboundMessageError(`${at} (${id}) has no sObject.`);
    const type = String(sObject['@_type'] ?? '').replace(/^.*:/, '');
    const fields: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(sObject)) {
      if (key.startsWith('@_') || key === '#text') continue;
      // A relationship (an sObject inside) is not a field of this record.
      if (isNode(value) && Object.keys(value).some((k) => !k.startsWith('@_') && k !== '#text')) continue;
      if (Array.isArray(value)) continue;
      const v = textOf(value);
      fields[key] = v === null ? null : v.slice(0, 10_000);
    }
    const recordId = fields.Id?.trim();
    if (!recordId) throw new OutboundMessageError(`${at} (${id}): the sObject has no Id field.`);
    return { notificationId: id, objectType: type, recordId, fields };
  });
  const top = (name: string) => textOf(notifications[name])?.trim().slice(0, 500) || null;
  return { organizationId: top('OrganizationId'), actionId: top('ActionId'), enterpriseUrl: top('EnterpriseUrl'), partnerUrl: top('PartnerUrl'), notifications: changes };
}
