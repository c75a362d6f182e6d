package predict

// Params are a fitted Model's parameters, for storing between refits: a
// contact scored after a new order is scored with the workspace's last
// fit rather than a refit per order.
type Params struct {
	BGNBD     BGNBD       `json:"bgnbd"`
	Value     *GammaGamma `json:"gamma_gamma,omitempty"`
	NoDropout bool        `json:"no_dropout"`
	Customers int         `json:"customers"`
	Repeaters int         `json:"repeaters"`
	Options   Options     `json:"options"`
}

// Params returns the model's parameters.
func (m *Model) Params() Params {
	return Params{BGNBD: m.BGNBD, Value: m.Value, NoDropout: m.NoDropout, Customers: m.Customers,
		Repeaters: m.Repeaters, Options: m.opts}
}

// Model rebuilds the model the parameters came from.
func (p Params) Model() *Model {
	return &Model{BGNBD: p.BGNBD, Value: p.Value, NoDropout: p.NoDropout, Customers: p.Customers,
		Repeaters: p.Repeaters, opts: p.Options.withDefaults()}
}
