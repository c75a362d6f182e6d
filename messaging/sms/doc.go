// Package sms is the SMS channel: how long a text is in segments (GSM-7 or
// UCS-2), phone numbers in E.164 and the per-country sender rules, the
// providers' HTTP APIs (Twilio's Messages API and SMSAPI.pl) behind one
// small Provider interface, a workspace's provider settings with their
// credentials sealed at rest, and the providers' webhooks: delivery
// receipts, and inbound replies whose STOP or START keywords change the
// contact's SMS consent.
//
// The package renders and delivers what it is given; deciding who gets a
// text is automation's (see automation/actions' send_sms and send_best).
package sms
