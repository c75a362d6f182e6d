package store

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"strings"
)

//go:embed queries/*.sql
var queryFiles embed.FS

// queries holds every named query, filled at Open from queries/*.sql blocks
// headed "-- name: some-name". A field whose query is missing, or a query no
// field uses, fails Open: a typo surfaces at start, never mid-request.
type queries struct {
	SettingGet    string `query:"setting-get"`
	SettingSet    string `query:"setting-set"`
	SettingInsert string `query:"setting-insert"`

	WriteProbeInsert string `query:"write-probe-insert"`
	WriteProbeDelete string `query:"write-probe-delete"`

	PushSubscriptionUpsert      string `query:"push-subscription-upsert"`
	PushSubscriptionListVisitor string `query:"push-subscription-list-visitor"`
	PushSubscriptionDelete      string `query:"push-subscription-delete"`

	WorkspaceCreate    string `query:"workspace-create"`
	WorkspaceGet       string `query:"workspace-get"`
	WorkspaceBySiteKey string `query:"workspace-by-site-key"`
	WorkspaceList      string `query:"workspace-list"`
	WorkspaceUpdate    string `query:"workspace-update"`

	APIKeyCreate  string `query:"api-key-create"`
	APIKeyByHash  string `query:"api-key-by-hash"`
	APIKeyList    string `query:"api-key-list"`
	APIKeyRevoke  string `query:"api-key-revoke"`
	APIKeyTouch   string `query:"api-key-touch"`
	APIKeyAdminN  string `query:"api-key-admin-count"`
	APIKeyByName  string `query:"api-key-admin-by-name"`
	APIKeyReplace string `query:"api-key-admin-replace-hash"`

	ShopCreate   string `query:"shop-create"`
	ShopGet      string `query:"shop-get"`
	ShopList     string `query:"shop-list"`
	ShopByDomain string `query:"shop-by-domain"`
	ShopUpdate   string `query:"shop-update"`
	ShopByID     string `query:"shop-by-id"`

	ProductUpsert     string `query:"product-upsert"`
	ProductGet        string `query:"product-get"`
	ProductByHandle   string `query:"product-by-handle"`
	ProductList       string `query:"product-list"`
	ProductCount      string `query:"product-count"`
	ProductCategories string `query:"product-categories"`

	OrderUpsert string `query:"order-upsert"`
	OrderGet    string `query:"order-get"`
	OrderList   string `query:"order-list"`

	CheckoutUpsert   string `query:"checkout-upsert"`
	CheckoutGet      string `query:"checkout-get"`
	CheckoutComplete string `query:"checkout-complete"`
	CompletionPut    string `query:"checkout-completion-put"`
	CompletionGet    string `query:"checkout-completion-get"`
	CheckoutList     string `query:"checkout-list"`

	UserCreate               string `query:"user-create"`
	UserGet                  string `query:"user-get"`
	UserByEmail              string `query:"user-by-email"`
	UserCount                string `query:"user-count"`
	UserSetPassword          string `query:"user-set-password"`
	UserSetLocale            string `query:"user-set-locale"`
	MembershipPut            string `query:"membership-put"`
	MembershipDelete         string `query:"membership-delete"`
	MembershipListUser       string `query:"membership-list-user"`
	MembershipListWorkspace  string `query:"membership-list-workspace"`
	ConsoleSessionCreate     string `query:"console-session-create"`
	ConsoleSessionGet        string `query:"console-session-get"`
	ConsoleSessionDelete     string `query:"console-session-delete"`
	ConsoleSessionDeleteUser string `query:"console-session-delete-user"`
	ConsoleSessionPrune      string `query:"console-session-prune"`
	AccountLinkCreate        string `query:"account-link-create"`
	AccountLinkGet           string `query:"account-link-get"`
	AccountLinkUse           string `query:"account-link-use"`
	AccountLinkRevokePurpose string `query:"account-link-revoke-purpose"`
	AuditInsert              string `query:"audit-insert"`
	AuditList                string `query:"audit-list"`
	DashboardShopRevenue     string `query:"dashboard-shop-revenue"`
	DashboardAttributed      string `query:"dashboard-attributed"`
	DashboardMessages        string `query:"dashboard-messages"`
	DashboardConsents        string `query:"dashboard-consents"`
	DashboardNewContacts     string `query:"dashboard-new-contacts"`
	DashboardDaysShop        string `query:"dashboard-days-shop"`
	DashboardDaysAttributed  string `query:"dashboard-days-attributed"`
	TrackerLastSeen          string `query:"tracker-last-seen"`

	ContactCreate        string `query:"contact-create"`
	ContactGet           string `query:"contact-get"`
	ContactByEmail       string `query:"contact-by-email"`
	ContactUpdate        string `query:"contact-update"`
	ContactMarkMerged    string `query:"contact-mark-merged"`
	ContactRepointMerged string `query:"contact-repoint-merged"`
	ContactList          string `query:"contact-list"`
	ContactSearch        string `query:"contact-search"`
	ContactSearchName    string `query:"contact-search-full-name"`
	IdentityGet          string `query:"identity-get"`
	IdentityAdd          string `query:"identity-add"`
	IdentityList         string `query:"identity-list"`
	IdentityMove         string `query:"identity-move"`
	ConsentSet           string `query:"consent-set"`
	ConsentList          string `query:"consent-list"`
	ConsentDeleteAll     string `query:"consent-delete-all"`
	CustomerVersionClaim string `query:"customer-version-claim"`
	ProfileGet           string `query:"profile-get"`
	ProfilePut           string `query:"profile-put"`
	ProfileDelete        string `query:"profile-delete"`
	EventsRepoint        string `query:"events-repoint-contact"`
	CheckpointGet        string `query:"checkpoint-get"`
	CheckpointSet        string `query:"checkpoint-set"`
	EventLogAfter        string `query:"event-log-after"`
	EventListContact     string `query:"event-list-contact"`
	EventOccurredAt      string `query:"event-occurred-at"`
	EventSetContact      string `query:"event-set-contact"`

	EventAppendHead  string `query:"event-append-head"`
	EventAppendTail  string `query:"event-append-tail"`
	EventListAfter   string `query:"event-list-after"`
	EventListVisitor string `query:"event-list-visitor"`

	DeliveryInsert           string `query:"delivery-insert"`
	DeliveryPending          string `query:"delivery-pending"`
	DeliveryFinish           string `query:"delivery-finish"`
	DeliveryRetry            string `query:"delivery-retry"`
	DeliveryList             string `query:"delivery-list"`
	DeliveryCounts           string `query:"delivery-counts"`
	DeliveryDeleteShop       string `query:"delivery-delete-shop"`
	VariantDeleteProduct     string `query:"variant-delete-product"`
	VariantUpsert            string `query:"variant-upsert"`
	VariantProduct           string `query:"variant-product"`
	VariantSetStock          string `query:"variant-set-stock"`
	VariantByInventory       string `query:"variant-by-inventory"`
	ProductRestock           string `query:"product-restock"`
	ProductSetStatus         string `query:"product-set-status"`
	SyncGet                  string `query:"sync-get"`
	SyncList                 string `query:"sync-list"`
	SyncPut                  string `query:"sync-put"`
	PrivacyCreate            string `query:"privacy-create"`
	PrivacyComplete          string `query:"privacy-complete"`
	PrivacyGet               string `query:"privacy-get"`
	PrivacyList              string `query:"privacy-list"`
	PrivacyExport            string `query:"privacy-export"`
	CartTokenPut             string `query:"cart-token-put"`
	CartTokenVisitor         string `query:"cart-token-visitor"`
	EraseMergedContacts      string `query:"erase-merged-contacts"`
	EraseEventsContact       string `query:"erase-events-contact"`
	EraseEventsVisitor       string `query:"erase-events-visitor"`
	EraseOrdersPerson        string `query:"erase-orders-person"`
	EraseCheckoutsPerson     string `query:"erase-checkouts-person"`
	EraseOrderExternal       string `query:"erase-order-external"`
	EraseCartTokensVisitor   string `query:"erase-cart-tokens-visitor"`
	EraseIdentities          string `query:"erase-identities"`
	EraseConsents            string `query:"erase-consents"`
	EraseProfile             string `query:"erase-profile"`
	EraseContact             string `query:"erase-contact"`
	EraseShopProducts        string `query:"erase-shop-products"`
	EraseShopVariants        string `query:"erase-shop-variants"`
	EraseShopOrders          string `query:"erase-shop-orders"`
	EraseShopCheckouts       string `query:"erase-shop-checkouts"`
	EraseShopSyncs           string `query:"erase-shop-syncs"`
	EraseShopRow             string `query:"erase-shop-row"`
	EraseWorkspaceEvents     string `query:"erase-workspace-events"`
	EraseWorkspaceIdentities string `query:"erase-workspace-identities"`
	EraseWorkspaceConsents   string `query:"erase-workspace-consents"`
	EraseWorkspaceProfiles   string `query:"erase-workspace-profiles"`
	EraseWorkspaceContacts   string `query:"erase-workspace-contacts"`
	EraseWorkspaceCartTokens string `query:"erase-workspace-cart-tokens"`
	EraseWorkspaceExports    string `query:"erase-workspace-exports"`
	EraseCustomerVersions    string `query:"erase-customer-versions-person"`
	EraseShopCustomerVers    string `query:"erase-shop-customer-versions"`

	messageQueries
	deliverabilityQueries
	smsQueries
	contentQueries
	scheduleQueries
	widgetQueries
	variantQueries
	discountCodeQueries
	recoveryQueries
	verificationQueries
	flowFunnelQueries
	contactNoteQueries
	dashboardDrillQueries
	flowArchiveQueries
	segmentQueries
	campaignQueries
	privacyExtraQueries
	scoreQueries

	// automation
	FlowCreate           string `query:"flow-create"`
	FlowVersionInsert    string `query:"flow-version-insert"`
	FlowGet              string `query:"flow-get"`
	FlowGetVersion       string `query:"flow-get-version"`
	FlowList             string `query:"flow-list"`
	FlowListTriggered    string `query:"flow-list-triggered"`
	FlowEventTypes       string `query:"flow-event-types"`
	FlowHeadVersion      string `query:"flow-head-version"`
	FlowUpdateHead       string `query:"flow-update-head"`
	FlowStatusGet        string `query:"flow-status-get"`
	FlowStatusSet        string `query:"flow-status-set"`
	EnrollmentInsert     string `query:"enrollment-insert"`
	EnrollmentGet        string `query:"enrollment-get"`
	EnrollmentListFlow   string `query:"enrollment-list-flow"`
	EnrollmentListGoal   string `query:"enrollment-list-goal"`
	EnrollmentAdvance    string `query:"enrollment-advance"`
	EnrollmentEnd        string `query:"enrollment-end"`
	EnrollmentHold       string `query:"enrollment-hold"`
	EnrollmentResume     string `query:"enrollment-resume"`
	StepRunInsert        string `query:"step-run-insert"`
	StepRunGet           string `query:"step-run-get"`
	StepRunList          string `query:"step-run-list"`
	FlowEntryGet         string `query:"flow-entry-get"`
	FlowEntryPut         string `query:"flow-entry-put"`
	EventListContactType string `query:"event-list-contact-type"`

	EraseStepRunsContact      string `query:"erase-step-runs-contact"`
	EraseEnrollmentsContact   string `query:"erase-enrollments-contact"`
	EraseFlowEntriesContact   string `query:"erase-flow-entries-contact"`
	EraseWorkspaceStepRuns    string `query:"erase-workspace-step-runs"`
	EraseWorkspaceEnrollments string `query:"erase-workspace-enrollments"`
	EraseWorkspaceFlowEntries string `query:"erase-workspace-flow-entries"`
	EraseWorkspacePush        string `query:"erase-workspace-push"`
	ErasePushVisitor          string `query:"erase-push-visitor"`
	DeliveryPrune             string `query:"delivery-prune"`
}

var placeholder = regexp.MustCompile(`\$([0-9]+)`)

// rewriteForSQLite turns PostgreSQL's $1 placeholders into SQLite's ?1, which
// bind by number too, so one query text serves both backends.
func rewriteForSQLite(q string) string { return placeholder.ReplaceAllString(q, "?$1") }

func parseQueries(files fs.FS) (map[string]string, error) {
	out := map[string]string{}
	names, err := fs.Glob(files, "queries/*.sql")
	if err != nil {
		return nil, err
	}
	for _, file := range names {
		body, err := fs.ReadFile(files, file)
		if err != nil {
			return nil, err
		}
		var cur string
		var b strings.Builder
		flush := func() error {
			if cur == "" {
				return nil
			}
			if _, dup := out[cur]; dup {
				return fmt.Errorf("%s: query %q defined twice", file, cur)
			}
			out[cur] = strings.TrimSpace(b.String())
			b.Reset()
			return nil
		}
		sc := bufio.NewScanner(strings.NewReader(string(body)))
		for sc.Scan() {
			line := sc.Text()
			if name, ok := strings.CutPrefix(strings.TrimSpace(line), "-- name:"); ok {
				if err := flush(); err != nil {
					return nil, err
				}
				cur = strings.TrimSpace(name)
				continue
			}
			if cur != "" && !strings.HasPrefix(strings.TrimSpace(line), "--") {
				b.WriteString(line)
				b.WriteByte('\n')
			}
		}
		if err := flush(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func loadQueries(rewrite func(string) string) (*queries, error) {
	raw, err := parseQueries(queryFiles)
	if err != nil {
		return nil, fmt.Errorf("load queries: %w", err)
	}
	q := &queries{}
	used := map[string]bool{}
	if err := fillQueries(reflect.ValueOf(q).Elem(), raw, used, rewrite); err != nil {
		return nil, err
	}
	for name := range raw {
		if !used[name] {
			return nil, fmt.Errorf("load queries: %q is defined but unused", name)
		}
	}
	return q, nil
}

// fillQueries sets every string field of v from its query tag, descending
// into embedded structs: a domain's queries may be declared in a struct of
// their own, next to the Go that runs them, and embedded in queries.
func fillQueries(v reflect.Value, raw map[string]string, used map[string]bool, rewrite func(string) string) error {
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if err := fillQueries(v.Field(i), raw, used, rewrite); err != nil {
				return err
			}
			continue
		}
		name := f.Tag.Get("query")
		text, ok := raw[name]
		if !ok {
			return fmt.Errorf("load queries: %q is not defined in store/queries", name)
		}
		used[name] = true
		v.Field(i).SetString(rewrite(text))
	}
	return nil
}
