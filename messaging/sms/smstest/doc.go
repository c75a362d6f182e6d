// Package smstest runs, in process, HTTP servers that speak the SMS
// providers' APIs as the real ones do (Twilio's Messages API, SMSAPI.pl's
// sms.do): they check authentication and fields, keep what was sent,
// answer the providers' errors, and post signed delivery receipts and
// inbound replies back the way the providers do. Tests of the SMS channel
// send through them instead of the network.
package smstest
