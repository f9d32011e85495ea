/**
 * The Salesforce channel's reading and mapping, without a database: an Outbound Message
 * body as Salesforce writes it (namespaces, xsi:nil, a relationship inside the sObject),
 * the refusals that say what is wrong, and each change of the mapping as a returns row.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { amountText, mapChange, returnsCsv } from '../../src/channels/salesforce/mapping.js';
import { OutboundMessageError, parseOutboundMessage } from '../../src/channels/salesforce/outbound-message.js';
import { pollQuery } from '../../src/channels/salesforce/poll.js';
import { requestForLog } from '../../src/core/logging.js';
import { OPPORTUNITY_MAPPING, ORDER_MAPPING } from '../support/salesforce.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/salesforce');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

describe('Outbound Message bodies', () => {
  it('reads the envelope, each notification and its sObject fields (xsi:nil as empty; relationships left out)', () => {
    const message = parseOutboundMessage(fixture('order-custom-object.xml'));
    expect(message.organizationId).toBe('00D5g000004Xk2mEAC');
    expect(message.actionId).toBe('04k5g000000TNbQAAW');
    expect(message.partnerUrl).toBe('https://acme.my.salesforce.com/services/Soap/u/62.0/00D5g000004Xk2m');
    expect(message.notifications).toEqual([
      {
        notificationId: '04l5g00000ZPYa1AAH',
        objectType: 'Order__c',
        recordId: 'a015g00000Kq7ZtAAJ',
        fields: { Id: 'a015g00000Kq7ZtAAJ', Amount__c: '62.5', Name: 'ORD-0001', Order_Number__c: '__ORDER_1__', Return_Note__c: null, Status__c: 'Partially Returned' },
      },
    ]);
    const withRelationship = fixture('opportunity-closed-lost.xml')
      .toString()
      .replace('<sf:Name>', '<sf:Account><sf:Id>0015g00000XyZAAA</sf:Id><sf:Name>Acme</sf:Name></sf:Account><sf:Name>');
    const parsed = parseOutboundMessage(Buffer.from(withRelationship));
    expect(parsed.notifications[0]!.fields).not.toHaveProperty('Account');
    expect(parsed.notifications[0]!.fields.Name).toBe('Acme - 20 tents');
    expect(parseOutboundMessage(fixture('two-notifications.xml')).notifications.map((n) => n.notificationId)).toEqual(['04l5g00000ZPZb2AAH', '04l5g00000ZPZc3AAH']);
  });

  it.each([
    ['', 'The body is empty'],
    ['<a><b></a>', 'not well-formed XML'],
    ['<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>', 'declares a DTD or entities'],
    ['<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><other/></soapenv:Body></soapenv:Envelope>', 'needs soapenv:Envelope / soapenv:Body / notifications'],
    ['<Envelope><Body><notifications><OrganizationId>x</OrganizationId></notifications></Body></Envelope>', 'has no Notification'],
    ['<Envelope><Body><notifications><Notification><sObject><Id>1</Id></sObject></Notification></notifications></Body></Envelope>', 'Notification 1 has no Id'],
    ['<Envelope><Body><notifications><Notification><Id>n1</Id></Notification></notifications></Body></Envelope>', 'Notification 1 (n1) has no sObject'],
    ['<Envelope><Body><notifications><Notification><Id>n1</Id><sObject><Name>x</Name></sObject></Notification></notifications></Body></Envelope>', 'the sObject has no Id field'],
  ])('refuses %j saying what is wrong', (body, message) => {
    expect(() => parseOutboundMessage(Buffer.from(body))).toThrow(OutboundMessageError);
    expect(() => parseOutboundMessage(Buffer.from(body))).toThrow(message);
  });

  it('the XML bomb is refused before any parsing', () => {
    expect(() => parseOutboundMessage(fixture('xml-bomb.xml'))).toThrow('declares a DTD or entities');
  });
});

describe('the mapping', () => {
  const change = (fields: Record<string, string | null>, objectType = 'Opportunity') => ({ notificationId: 'n1', objectType, recordId: '006A', fields: { Id: '006A', ...fields } });

  it('each change as a row in the engine columns; field names in any case', () => {
    expect(mapChange(OPPORTUNITY_MAPPING, 7, change({ lockstep_action_id__c: '42', StageName: 'Closed Lost' }))).toMatchObject({
      mapped: true,
      change: 'REVERSE',
      row: { ActionId: '42', Oid: '', ActionTrackerId: '', Amount: '0', Reason: 'ORDER_ERROR', SalesforceId: '006A', NotificationId: 'n1' },
    });
    expect(mapChange(ORDER_MAPPING, 7, change({ Order_Number__c: 'ORD-9', Status__c: 'Partially Returned', Amount__c: '1.5E2' }, 'Order__c'))).toMatchObject({
      mapped: true,
      row: { ActionId: '', Oid: 'ORD-9', ActionTrackerId: '7', Amount: '150', Reason: 'ITEM_RETURNED' },
    });
    const withReset = { ...OPPORTUNITY_MAPPING, statuses: [{ value: 'Reopened', change: 'RESET' as const, reason: null, amountField: null }, { value: 'Closed Won', change: 'APPROVE' as const, reason: null, amountField: null }] };
    expect(mapChange(withReset, 7, change({ Lockstep_Action_Id__c: '42', StageName: 'Reopened' }))).toMatchObject({ row: { Amount: '', Reason: 'RESET' } });
    expect(mapChange(withReset, 7, change({ Lockstep_Action_Id__c: '42', StageName: 'Closed Won' }))).toMatchObject({ row: { Amount: '', Reason: 'APPROVED' } });
  });

  it('skips what maps to nothing, saying why', () => {
    const skip = (c: ReturnType<typeof change>, settings = OPPORTUNITY_MAPPING) => {
      const result = mapChange(settings, 7, c);
      return result.mapped ? 'mapped' : result.message;
    };
    expect(skip(change({ Lockstep_Action_Id__c: '42', StageName: 'Prospecting' }))).toBe('StageName "Prospecting" maps to no change (mapped: "Closed Lost"); nothing to do.');
    expect(skip(change({ Lockstep_Action_Id__c: '42', StageName: null }))).toMatch(/^StageName is empty/);
    expect(skip(change({ Lockstep_Action_Id__c: '', StageName: 'Closed Lost' }))).toMatch(/^Lockstep_Action_Id__c \(the Lockstep action id\) is empty/);
    expect(skip(change({ Lockstep_Action_Id__c: '42', StageName: 'Closed Lost' }, 'Lead'))).toBe('The record is a Lead; the mapping is for Opportunity.');
    expect(skip(change({ Order_Number__c: 'ORD-9', Status__c: 'Partially Returned' }, 'Order__c'), ORDER_MAPPING)).toMatch(/^Amount__c \(the new sale amount for "Partially Returned"\) is empty/);
  });

  it('writes RFC 4180 CSV the engine reads, and the poll query names the fields the mapping reads', () => {
    const mapped = mapChange(OPPORTUNITY_MAPPING, 7, change({ Lockstep_Action_Id__c: '42', StageName: 'Closed Lost' }));
    if (!mapped.mapped) throw new Error('not mapped');
    const csv = returnsCsv([{ ...mapped.row, SalesforceStatus: 'Closed, "Lost"' }]).toString();
    expect(csv).toBe(
      'ActionId,Oid,ActionTrackerId,Amount,Reason,SalesforceObject,SalesforceId,SalesforceStatus,NotificationId\r\n42,,,0,ORDER_ERROR,Opportunity,006A,"Closed, ""Lost""",n1\r\n',
    );
    expect(amountText(' 1500.0 ')).toBe('1500.0');
    expect(pollQuery(ORDER_MAPPING, new Date('2026-01-15T11:50:00.250Z'))).toBe(
      'SELECT Id, Order_Number__c, Status__c, Amount__c, SystemModstamp FROM Order__c WHERE SystemModstamp > 2026-01-15T11:50:00Z ORDER BY SystemModstamp LIMIT 2000',
    );
  });
});

describe('logs', () => {
  it('never hold the token of an Outbound Message URL', () => {
    expect(requestForLog({ method: 'POST', url: `/salesforce/outbound/${'ab'.repeat(16)}` }).url).toBe('/salesforce/outbound/…');
    expect(requestForLog({ method: 'POST', url: `/salesforce/outbound/${'ab'.repeat(16)}?x=1` }).url).toBe('/salesforce/outbound/…?…');
  });
});
