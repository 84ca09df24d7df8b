// Languages: the Language singletons, one per file in lsp/languages/.
#pragma once

#include "lsp/languages/Language.h"

namespace heaplens::lsp {

const Language& goLanguage();          // GoLanguage.cpp
const Language& rakuLanguage();        // RakuLanguage.cpp
const Language& javaScriptLanguage();  // JavaScriptLanguage.cpp (and TypeScript)
const Language& plainTextLanguage();   // PlainTextLanguage.cpp

}  // namespace heaplens::lsp
