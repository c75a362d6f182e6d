package shopify

import (
	"errors"

	"github.com/cartwheelhq/cartwheel/commerce"
)

// decodeUninstalled maps app/uninstalled. The payload is the Shop object;
// the shop is identified by the X-Shopify-Shop-Domain header (the sample's
// myshopify_domain is null), so only its numeric id is kept here.
func decodeUninstalled(body []byte) (commerce.Change, error) {
	var p struct {
		ID extID `json:"id"`
	}
	if err := unmarshalObject(body, &p); err != nil {
		return commerce.Change{}, err
	}
	return commerce.Change{Kind: commerce.ChangeUninstalled, ExternalID: string(p.ID)}, nil
}

// privacyPayload is the body of customers/data_request and customers/redact
// (mandatory compliance topics).
type privacyPayload struct {
	ShopID   extID `json:"shop_id"`
	Customer *struct {
		ID    extID `json:"id"`
		Email text  `json:"email"`
		Phone text  `json:"phone"`
	} `json:"customer"`
	OrdersRequested []extID `json:"orders_requested"`
	OrdersToRedact  []extID `json:"orders_to_redact"`
	DataRequest     *struct {
		ID extID `json:"id"`
	} `json:"data_request"`
}

// decodePrivacy maps customers/data_request (ChangeDataRequest, keyed by
// the request id) and customers/redact (ChangeCustomerRedact, keyed by the
// customer id). A request that names no customer by id, email or phone
// cannot be honoured and is an error, so that it is noticed rather than
// silently acknowledged.
func decodePrivacy(topic string, body []byte) (commerce.Change, error) {
	var p privacyPayload
	if err := unmarshalObject(body, &p); err != nil {
		return commerce.Change{}, err
	}
	pr := &commerce.PrivacyRequest{}
	if p.Customer != nil {
		pr.CustomerID = string(p.Customer.ID)
		pr.Email = string(p.Customer.Email)
		pr.Phone = string(p.Customer.Phone)
	}
	if pr.CustomerID == "" && pr.Email == "" && pr.Phone == "" {
		return commerce.Change{}, errors.New("the request names no customer")
	}
	ids := p.OrdersToRedact
	kind := commerce.ChangeCustomerRedact
	ext := pr.CustomerID
	if topic == TopicCustomersDataRequest {
		ids, kind = p.OrdersRequested, commerce.ChangeDataRequest
		if p.DataRequest != nil {
			pr.RequestID = string(p.DataRequest.ID)
		}
		ext = firstNonEmpty(pr.RequestID, pr.CustomerID)
	}
	for _, id := range ids {
		if id != "" {
			pr.OrderIDs = append(pr.OrderIDs, string(id))
		}
	}
	return commerce.Change{Kind: kind, Privacy: pr, ExternalID: ext}, nil
}

// decodeShopRedact maps shop/redact, sent 48 hours after uninstall: erase
// everything held for the shop. The shop is the X-Shopify-Shop-Domain
// header's; the payload's shop_id becomes ExternalID.
func decodeShopRedact(body []byte) (commerce.Change, error) {
	var p struct {
		ShopID     extID `json:"shop_id"`
		ShopDomain text  `json:"shop_domain"`
	}
	if err := unmarshalObject(body, &p); err != nil {
		return commerce.Change{}, err
	}
	if p.ShopID == "" && p.ShopDomain == "" {
		return commerce.Change{}, errors.New("the request names no shop")
	}
	return commerce.Change{Kind: commerce.ChangeShopRedact, ExternalID: firstNonEmpty(string(p.ShopID), string(p.ShopDomain))}, nil
}
