package tracker

import "testing"

func TestClassifyUA(t *testing.T) {
	for _, tc := range []struct {
		name, ua string
		want     Client
	}{
		{"chrome desktop", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
			Client{Browser: "Chrome", BrowserVersion: "124.0.0.0", OS: "Windows", OSVersion: "10", Device: DeviceDesktop}},
		{"safari mac", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
			Client{Browser: "Safari", BrowserVersion: "17.4", OS: "macOS", OSVersion: "10.15.7", Device: DeviceDesktop}},
		{"firefox", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
			Client{Browser: "Firefox", BrowserVersion: "125.0", OS: "Windows", OSVersion: "10", Device: DeviceDesktop}},
		{"iphone safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
			Client{Browser: "Safari", BrowserVersion: "17.4", OS: "iOS", OSVersion: "17.4", Device: DeviceMobile}},
		{"android phone", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
			Client{Browser: "Chrome", BrowserVersion: "124.0.6367.82", OS: "Android", OSVersion: "14", Device: DeviceMobile}},
		{"cubot phone is not a bot", "Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
			Client{Browser: "Chrome", BrowserVersion: "124.0.0.0", OS: "Android", OSVersion: "9", Device: DeviceMobile}},
		{"ipad", "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
			Client{Browser: "Safari", BrowserVersion: "17.4", OS: "iPadOS", OSVersion: "17.4", Device: DeviceTablet}},
		{"android tablet", "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
			Client{Browser: "Chrome", BrowserVersion: "124.0.0.0", OS: "Android", OSVersion: "13", Device: DeviceTablet}},
		{"googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			Client{Bot: true, Browser: "Googlebot", BrowserVersion: "2.1", Device: DeviceBot}},
		{"googlebot smartphone", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			Client{Bot: true, Browser: "Googlebot", BrowserVersion: "2.1", Device: DeviceBot}},
		{"bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
			Client{Bot: true, Browser: "bingbot", BrowserVersion: "2.0", Device: DeviceBot}},
		{"gptbot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
			Client{Bot: true, Device: DeviceBot}},
		{"curl", "curl/8.5.0", Client{Bot: true, Browser: "curl", BrowserVersion: "8.5.0", Device: DeviceBot}},
		{"python-requests", "python-requests/2.31.0", Client{Bot: true, Browser: "python-requests", BrowserVersion: "2.31.0", Device: DeviceBot}},
		{"go", "Go-http-client/1.1", Client{Bot: true, Browser: "Go-http-client", BrowserVersion: "1.1", Device: DeviceBot}},
		{"lighthouse", "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
			Client{Bot: true, Browser: "Chrome", BrowserVersion: "124.0.0.0", OS: "Android", OSVersion: "11", Device: DeviceBot}},
		{"empty", "", Client{Bot: true, Device: DeviceBot}},
		{"headless chrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36",
			Client{Bot: true, Headless: true, Browser: "Headless Chrome", BrowserVersion: "124.0.0.0", OS: "Linux", Device: DeviceBot}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ClassifyUA(tc.ua, UAOptions{}); got != tc.want {
				t.Errorf("ClassifyUA(%q)\n got %+v\nwant %+v", tc.ua, got, tc.want)
			}
		})
	}
}

func TestClassifyUAAllowHeadless(t *testing.T) {
	ua := "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36"
	got := ClassifyUA(ua, UAOptions{AllowHeadless: true})
	if got.Bot || !got.Headless || got.Device != DeviceDesktop {
		t.Errorf("with AllowHeadless: %+v, want a headless desktop that is not a bot", got)
	}
	// A crawler stays a bot whatever the option.
	if !ClassifyUA("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) HeadlessChrome/1", UAOptions{AllowHeadless: true}).Bot {
		t.Errorf("a headless crawler is a bot")
	}
}
