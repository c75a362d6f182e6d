package predict

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestReadRetail reads both forms of the UCI log with the README's drops
// (cancellation, no customer, postage, zero quantity) and groups orders.
func TestReadRetail(t *testing.T) {
	original := `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536365,71053,LANTERN,2,2010-12-01 08:26:00,3.00,17850.0,United Kingdom
C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom
536380,22139,KIT,3,2010-12-01 09:45:00,4.95,,United Kingdom
536381,POST,POSTAGE,1,2010-12-01 09:45:00,18.00,17850.0,United Kingdom
536382,22139,KIT,0,2010-12-01 09:45:00,4.95,17850.0,United Kingdom
536390,22139,KIT,4,2010-12-03 10:00:00,5.00,12345.0,France
`
	lines, err := ReadRetail(strings.NewReader(original))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines kept, want 3: %+v", len(lines), lines)
	}
	cs := CustomersOf(lines)
	day := DayOf(time.Date(2010, 12, 1, 0, 0, 0, 0, time.UTC))
	if len(cs) != 2 || cs[1].ID != "17850" || len(cs[1].Orders) != 1 || cs[1].Orders[0].Day != day ||
		math.Abs(cs[1].Orders[0].Value-(6*2.55+2*3.00)) > 1e-9 || cs[0].Orders[0].Value != 20 {
		t.Errorf("customers = %+v", cs)
	}
	events := `user_id,product_id,event_type,timestamp,category_id,price,order_id
17850,85123A,purchase,2010-12-01T08:26:00+00:00,,2.55,536365
17850,71053,purchase,2010-12-01T08:26:00+00:00,,3.39,536365
17850,71053,purchase,2011-06-01T23:30:00+01:00,,3.39,536999
`
	lines, err = ReadRetail(strings.NewReader(events))
	if err != nil {
		t.Fatal(err)
	}
	cs = CustomersOf(lines)
	june := DayOf(time.Date(2011, 6, 1, 0, 0, 0, 0, time.UTC))
	if len(cs) != 1 || len(cs[0].Orders) != 2 || cs[0].Orders[1].Day != june || math.Abs(cs[0].Orders[0].Value-(2.55+3.39)) > 1e-9 {
		t.Errorf("customers = %+v", cs)
	}
	if _, err := ReadRetail(strings.NewReader("a,b\n1,2\n")); err == nil {
		t.Error("an unknown header was accepted")
	}
}
