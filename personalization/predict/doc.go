// Package predict turns a purchase history into per-customer predictions with
// the uncertainty the models carry: the probability the customer is still
// alive (churn risk is its complement), the expected number of orders and the
// probability of at least one order in the next 30/90 days, the expected order
// value, spend and lifetime value, the most likely next order date, and how
// often each product is bought again (the replenishment interval).
//
// Which models and why:
//
//   - BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy
//     way") for when and whether a customer buys again. Shop orders are
//     non-contractual: a customer never tells us they left, so churn has to be
//     inferred from silence. BG/NBD does exactly that from three numbers per
//     customer (repeat order days x, day of the last one t_x, age T), has four
//     population parameters fitted by maximum likelihood, and is the
//     standard, repeatedly validated model for this kind of data. Its
//     likelihood needs only log-gamma (math.Lgamma); its conditional
//     expectation needs the Gaussian hypergeometric function 2F1, evaluated
//     here after Euler's transformation so that its series converges fast and
//     cannot overflow (see BGNBD.ExpectedOrders).
//   - Gamma–Gamma (Fader, Hardie & Lee 2005, "RFM and CLV") for the value of
//     an order: it shrinks a customer's own average towards the population's,
//     the more the fewer orders the customer has, which is what an honest
//     expected value must do for a customer seen twice.
//
// The next order date is the median wait given an order within 90 days,
// read beside the probability of that order (see Prediction.NextOrderDays).
//
// Orders are counted per distinct UTC order day, as is standard for BG/NBD
// (two invoices on one day are one purchase occasion), and an order day's
// value is the sum of its orders. Times are in days.
//
// What is returned when there is too little to go on: a workspace with fewer
// than Options.MinCustomers customers or Options.MinRepeaters customers who
// ever ordered twice gets no model at all (Fit returns ErrTooFewCustomers),
// not a made-up one; a fit that does not converge is refused likewise
// (ErrNoFit); a fit whose dropout vanishes (a → 0, as on the UCI Online
// Retail log) is kept, as the no-dropout limit it then is, and flagged
// (Model.NoDropout: PAlive ranks nobody, POrder90 does). A contact without
// orders gets no prediction. A one-time buyer does get one, but BG/NBD
// assumes dropout happens only right after a repeat purchase, so a one-time
// buyer is alive with probability 1 by construction: PAlive is then 1 and
// not informative, Prediction.OneTime says so, and the order probabilities
// and expected orders (which do fall as the silence grows) are what to rank
// such customers by. Their expected order value is the population mean from
// Gamma–Gamma, since they have no repeat order of their own.
package predict
