// Package scores keeps each contact's scores and predictions in the
// contact_scores table, where segments, flow conditions, merge fields, the
// API and the console read them:
//
//   - RFM: recency, frequency and monetary quintiles within the workspace
//     (1–5 each) and the named cell they put the contact in (see Cell and
//     docs/scores.md);
//   - engagement: clicks, visits, human opens and orders, each decaying
//     with a half-life (Options.HalfLife, default 30 days); machine opens
//     never count;
//   - product preferences: top categories and brands and the price band,
//     from views, add-to-carts and orders weighted by recency;
//   - predictions from personalization/predict (BG/NBD and Gamma–Gamma):
//     P(alive), expected orders and spend, CLV and the next order date, with
//     how sure they are; NULL when there is not enough history.
//
// A Scorer refits a workspace (models, quintile and tier breakpoints,
// price bands, all persisted in score_models) and rescored contacts one by
// one with the stored fit; the Processor follows the event log to keep
// engagement and preferences current, rescore a contact when an order
// event arrives, and refit each workspace on a schedule.
package scores
