package integration

// Credential names: the keys of an integration's stored, encrypted
// credentials, one per secret connection setting.
const (
	CredSecret          = "secret"
	CredIntegrationCode = "integration_code"
	CredPrivateKey      = "private_key"
	CredClientID        = "client_id"
)

// SecretRefs names every secret reference of the connection by credential.
func (c *Connection) SecretRefs() map[string]*SecretRef {
	return map[string]*SecretRef{
		CredSecret: &c.Secret, CredIntegrationCode: &c.IntegrationCode,
		CredPrivateKey: &c.PrivateKey, CredClientID: &c.ClientID,
	}
}
