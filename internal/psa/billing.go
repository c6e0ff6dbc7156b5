package psa

import (
	"context"
	"time"
)

// Contract is a customer's service agreement (a contract or an
// agreement, as the PSA calls it).
type Contract struct {
	ID        string
	CompanyID string
	Name      string
	Active    bool
}

// Service is a billable product that can be a line on a contract.
type Service struct {
	ID        string
	Name      string
	UnitPrice float64
	UnitCost  float64
}

// ContractService is a service on one contract.
type ContractService struct {
	ID         string
	ContractID string
	ServiceID  string
	UnitPrice  float64
	UnitCost   float64
}

// Adjustment changes a contract service's units from EffectiveDate on.
type Adjustment struct {
	ContractID        string
	ContractServiceID string
	ServiceID         string
	// EffectiveDate is a calendar date; connectors send it as the PSA
	// expects dates (e.g. midnight, no zone conversion).
	EffectiveDate time.Time
	UnitChange    float64
	UnitPrice     float64
	UnitCost      float64
}

// Contracts is implemented by connectors that can attach contracts to
// tickets and keep a contract service's units equal to a billable count.
type Contracts interface {
	// Contracts lists the active contracts of a company.
	Contracts(ctx context.Context, companyID string) ([]Contract, error)
	// Services lists the billable services.
	Services(ctx context.Context) ([]Service, error)
	// ContractServices lists the services on a contract.
	ContractServices(ctx context.Context, contractID string) ([]ContractService, error)
	// AddContractService puts a service on a contract.
	AddContractService(ctx context.Context, contractID, serviceID string, unitPrice, unitCost float64) (ContractService, error)
	// ContractServiceUnits returns the units of a contract service in
	// effect at the given date.
	ContractServiceUnits(ctx context.Context, contractID, contractServiceID string, at time.Time) (float64, error)
	// AdjustContractService posts a unit change.
	AdjustContractService(ctx context.Context, a Adjustment) error
}
