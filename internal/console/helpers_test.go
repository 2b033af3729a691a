package console_test

import "github.com/crmguard/crmguard/internal/service"

func serviceFilter(action string) service.AuditFilter {
	return service.AuditFilter{Action: action, Limit: 1}
}
