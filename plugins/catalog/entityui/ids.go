package entityui

import "github.com/portico-dev/portico/web/extension"

// Extension IDs of the catalog pages and of the entity page's overview tab.
const (
	IndexPageID  = "page:catalog"
	EntityPageID = "page:catalog/entity"
	OverviewID   = "entity-content:catalog/overview"
)

// Inputs of the entity page and the overview tab that entity tabs and cards attach to.
const (
	ContentsInput = "contents" // page:catalog/entity: entity-content extensions (tabs)
	CardsInput    = "cards"    // entity-content:catalog/overview: entity-card extensions
	ActionsInput  = "actions"  // page:catalog/entity: entity-header-action extensions
)

// AttachContent is where entity tabs attach by default: the entity page's contents.
func AttachContent() extension.AttachTo {
	return extension.AttachTo{ID: EntityPageID, Input: ContentsInput}
}

// AttachCard is where entity cards attach by default: the overview tab's cards.
func AttachCard() extension.AttachTo { return extension.AttachTo{ID: OverviewID, Input: CardsInput} }
