package autotasksim

import "strings"

func resourceFields() []field {
	return []field{
		fLong("id").ro(),
		fLong("defaultServiceDeskRoleID").ro(),
		fStr("email", 50).ro(), fStr("email2", 50).ro(), fStr("email3", 50).ro(),
		fStr("firstName", 50).ro(),
		fDate("hireDate").ro(),
		fStr("initials", 3).ro(),
		fBool("isActive").ro(),
		fStr("lastName", 50).ro(),
		fInt("licenseType").ro(),
		fInt("locationID").ro(),
		fStr("middleName", 50).ro(),
		fStr("mobilePhone", 25).ro(),
		fStr("officePhone", 25).ro(),
		fStr("resourceType", 15).ro(),
		fStr("title", 50).ro(),
		fStr("userName", 50).ro(),
		fInt("userType").ro(),
	}
}

// newResources builds the read-only Resources entity holding one resource
// per configured user.
func newResources(users []User) *entity {
	e := newEntity("Resources", "Resource", 1, resourceFields())
	e.rootPath = true
	for _, u := range users {
		local, _, _ := strings.Cut(u.UserName, "@")
		e.insert(int64(u.ResourceID), record{
			"email": u.UserName, "firstName": local, "lastName": "Resource",
			"isActive": true, "resourceType": "Employee", "userName": u.UserName,
			"userType": int64(1), "licenseType": int64(1),
		})
	}
	return e
}
