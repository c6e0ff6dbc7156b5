package integration

// Credential names: the keys of an integration's stored, encrypted
// credentials, one per secret connection setting.
const (
	CredSecret          = "secret"
	CredIntegrationCode = "integration_code"
	CredPrivateKey      = "private_key"
	CredClientID        = "client_id"
	CredClientSecret    = "client_secret"
	CredAPIToken        = "api_token"
	CredRefreshToken    = "refresh_token"
)

// SecretRefs names every secret reference of the connection by credential.
func (c *Connection) SecretRefs() map[string]*SecretRef {
	return map[string]*SecretRef{
		CredSecret: &c.Secret, CredIntegrationCode: &c.IntegrationCode,
		CredPrivateKey: &c.PrivateKey, CredClientID: &c.ClientID,
		CredClientSecret: &c.ClientSecret, CredAPIToken: &c.APIToken,
		CredRefreshToken: &c.RefreshToken,
	}
}
