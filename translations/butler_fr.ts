<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr">
<context>
    <name>FitsImage</name>
    <message>
        <location filename="../views/preview/FitsImage.cpp" line="+47"/>
        <source>The FITS file is truncated or corrupt (HDU %1, %2): %3</source>
        <translation>Le fichier FITS est tronqué ou corrompu (HDU %1, %2)&#xa0;: %3</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>The file is empty.</source>
        <translation>Le fichier est vide.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not a FITS file: it does not start with a SIMPLE card.</source>
        <translation>Ce n&apos;est pas un fichier FITS&#xa0;: il ne commence pas par une carte SIMPLE.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The FITS file is truncated: %1 bytes, less than one 2880-byte header block.</source>
        <translation>Le fichier FITS est tronqué&#xa0;: %1 octets, moins qu&apos;un bloc d&apos;en-tête de 2880 octets.</translation>
    </message>
    <message>
        <location line="+22"/>
        <location line="+11"/>
        <location line="+6"/>
        <source>header</source>
        <translation>en-tête</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>card %1</source>
        <translation>carte %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>layout</source>
        <translation>structure</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>data size</source>
        <translation>taille des données</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The FITS file is corrupt: HDU %1 declares an impossible data size.</source>
        <translation>Le fichier FITS est corrompu&#xa0;: la HDU %1 déclare une taille de données impossible.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The FITS file is truncated: HDU %1 needs %2 bytes but the file has %3.</source>
        <translation>Le fichier FITS est tronqué&#xa0;: la HDU %1 nécessite %2 octets, mais le fichier en contient %3.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>image dimensions</source>
        <translation>dimensions de l&apos;image</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>image size</source>
        <translation>taille de l&apos;image</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The FITS image in HDU %1 is %2 x %3 pixels, too large to preview.</source>
        <translation>L&apos;image FITS de la HDU %1 fait %2 x %3 pixels, trop grande pour l&apos;aperçu.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>image type</source>
        <translation>type d&apos;image</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>pixels</source>
        <translation>pixels</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The FITS file is truncated or corrupt: %1 bytes after HDU %2 are not a complete HDU.</source>
        <translation>Le fichier FITS est tronqué ou corrompu&#xa0;: les %1 octets qui suivent la HDU %2 ne forment pas une HDU complète.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source># HDU 0 (primary)</source>
        <translation># HDU 0 (primaire)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source># HDU %1</source>
        <translation># HDU %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> - image shown</source>
        <translation> - image affichée</translation>
    </message>
    <message>
        <location line="+7"/>
        <source># (more header cards not shown)
</source>
        <translation># (autres cartes d&apos;en-tête non affichées)
</translation>
    </message>
</context>
<context>
    <name>ImageStretch</name>
    <message>
        <location filename="../views/preview/ImageStretch.cpp" line="+20"/>
        <source>zscale</source>
        <translation>zscale</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>asinh</source>
        <translation>asinh</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>min-max</source>
        <translation>min-max</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../views/curation/CurationController.cpp" line="+20"/>
        <source>1 dataset</source>
        <translation>1 jeu de données</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 datasets</source>
        <translation>%1 jeux de données</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>&apos;%1&apos; is not a CHAINED collection</source>
        <translation>&apos;%1&apos; n&apos;est pas une collection CHAINED</translation>
    </message>
</context>
<context>
    <name>butler::AppLanguage</name>
    <message>
        <location filename="../views/AppLanguage.cpp" line="+42"/>
        <source>System default</source>
        <translation>Langue du système</translation>
    </message>
</context>
<context>
    <name>butler::CertifyDialog</name>
    <message>
        <location filename="../views/curation/CertifyDialog.cpp" line="+88"/>
        <source>Certify datasets</source>
        <translation>Certifier des jeux de données</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calibration collection</source>
        <translation>Collection de calibration</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Validity begin</source>
        <translation>Début de validité</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Validity end</source>
        <translation>Fin de validité</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>from the beginning of time</source>
        <translation>depuis toujours</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>until further notice</source>
        <translation>jusqu&apos;à nouvel ordre</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Certify</source>
        <translation>Certifier</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Collection:</source>
        <translation>&amp;Collection&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Valid &amp;from:</source>
        <translation>&amp;Début de validité&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Valid &amp;until:</source>
        <translation>&amp;Fin de validité&#xa0;:</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Choose a CALIBRATION collection.</source>
        <translation>Choisissez une collection CALIBRATION.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The validity range must end after it begins.</source>
        <translation>La période de validité doit se terminer après son début.</translation>
    </message>
</context>
<context>
    <name>butler::CollectionTreeModel</name>
    <message>
        <location filename="../model/items/CollectionTreeModel.cpp" line="+241"/>
        <source>Collections under %1</source>
        <translation>Collections sous %1</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Collection</source>
        <translation>Collection</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Datasets</source>
        <translation>Jeux de données</translation>
    </message>
    <message>
        <location line="+338"/>
        <source>&apos;%1&apos; is one of its own enclosing chains; not expanded again</source>
        <translation>&apos;%1&apos; fait partie de ses propres chaînes englobantes&#xa0;; pas de nouveau déploiement</translation>
    </message>
</context>
<context>
    <name>butler::CurationController</name>
    <message>
        <location filename="../views/curation/CurationController.cpp" line="+78"/>
        <source>Cancelled: %1. The server may have done it before it stopped; the collections show what it holds now.</source>
        <translation>Annulé&#xa0;: %1. Le serveur a pu le faire avant de s&apos;arrêter&#xa0;; les collections montrent ce qu&apos;il contient maintenant.</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Could not %1 &quot;%2&quot;: %3</source>
        <translation>Impossible de %1 «&#xa0;%2&#xa0;»&#xa0;: %3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>undo</source>
        <translation>défaire</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>redo</source>
        <translation>refaire</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>create %1</source>
        <translation>créer %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Create collection %1</source>
        <translation>Créer la collection %1</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+50"/>
        <location line="+56"/>
        <location line="+29"/>
        <source>Redo: %1</source>
        <translation>Rétablir&#xa0;: %1</translation>
    </message>
    <message>
        <location line="-133"/>
        <location line="+49"/>
        <location line="+56"/>
        <location line="+32"/>
        <source>Undo: %1</source>
        <translation>Annuler&#xa0;: %1</translation>
    </message>
    <message>
        <location line="-114"/>
        <location line="+17"/>
        <source>tag %1 into %2</source>
        <translation>étiqueter %1 dans %2</translation>
    </message>
    <message>
        <location line="-16"/>
        <location line="+17"/>
        <source>remove %1 from %2</source>
        <translation>retirer %1 de %2</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>Tag %1 into %2</source>
        <translation>Étiqueter %1 dans %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove %1 from %2</source>
        <translation>Retirer %1 de %2</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>change chain %1</source>
        <translation>modifier la chaîne %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change chain %1</source>
        <translation>Modifier la chaîne %1</translation>
    </message>
    <message>
        <location line="+33"/>
        <location line="+12"/>
        <source>certify %1 in %2</source>
        <translation>certifier %1 dans %2</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>Certify %1 in %2</source>
        <translation>Certifier %1 dans %2</translation>
    </message>
</context>
<context>
    <name>butler::DatasetDetailsPanel</name>
    <message>
        <location filename="../views/DatasetDetailsPanel.cpp" line="+160"/>
        <source>Dataset details</source>
        <translation>Détails du jeu de données</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy signed &amp;URL</source>
        <translation>Copier l&apos;&amp;URL signée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy signed URL</source>
        <translation>Copier l&apos;URL signée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Download…</source>
        <translation>Téléc&amp;harger…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Download file</source>
        <translation>Télécharger le fichier</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel download</source>
        <translation>Annuler le téléchargement</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Download progress</source>
        <translation>Progression du téléchargement</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Download status</source>
        <translation>État du téléchargement</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Signed URL copied; it expires %1.</source>
        <translation>URL signée copiée&#xa0;; elle expire le %1.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Save dataset file</source>
        <translation>Enregistrer le fichier du jeu de données</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>closed</source>
        <translation>fermé</translation>
    </message>
    <message>
        <location line="+88"/>
        <source>This dataset has no file.</source>
        <translation>Ce jeu de données n&apos;a pas de fichier.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The file is too large to preview (%1).</source>
        <translation>Le fichier est trop volumineux pour l&apos;aperçu (%1).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Preview of %1 %2</source>
        <translation>Aperçu de %1 %2</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Preview failed: %1</source>
        <translation>Échec de l&apos;aperçu&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>&lt;p&gt;&lt;i&gt;Select a dataset to see its details.&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;Sélectionnez un jeu de données pour en voir les détails.&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Dataset type</source>
        <translation>Type de jeu de données</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Storage class</source>
        <translation>Classe de stockage</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run</source>
        <translation>Run</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>UUID</source>
        <translation>UUID</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+8"/>
        <location line="+2"/>
        <source>File</source>
        <translation>Fichier</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Formatter</source>
        <translation>Formateur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checksum</source>
        <translation>Somme de contrôle</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>URL expires</source>
        <translation>Expiration de l&apos;URL</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+4"/>
        <source>&lt;i&gt;loading…&lt;/i&gt;</source>
        <translation>&lt;i&gt;chargement…&lt;/i&gt;</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Dimension records</source>
        <translation>Enregistrements de dimension</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&lt;i&gt;none&lt;/i&gt;</source>
        <translation>&lt;i&gt;aucun&lt;/i&gt;</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+1"/>
        <source>unbounded</source>
        <translation>illimité</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>timespan</source>
        <translation>intervalle de temps</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 to %2</source>
        <translation>de %1 à %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>region</source>
        <translation>région</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cannot write %1: %2</source>
        <translation>Impossible d&apos;écrire %1&#xa0;: %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Downloading %1…</source>
        <translation>Téléchargement de %1…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cannot write the file: %1</source>
        <translation>Impossible d&apos;écrire le fichier&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Download %1</source>
        <translation>Télécharger %1</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Download cancelled.</source>
        <translation>Téléchargement annulé.</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+2"/>
        <source>cancelled</source>
        <translation>annulé</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Download failed: %1</source>
        <translation>Échec du téléchargement&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The download does not match the recorded file (size %1 of %2, %3): nothing was saved.</source>
        <translation>Le téléchargement ne correspond pas au fichier référencé (taille %1 sur %2, %3)&#xa0;: rien n&apos;a été enregistré.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot save the file: %1</source>
        <translation>Impossible d&apos;enregistrer le fichier&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Saved %1 (checksum verified).</source>
        <translation>%1 enregistré (somme de contrôle vérifiée).</translation>
    </message>
</context>
<context>
    <name>butler::DatasetFilterBar</name>
    <message>
        <location filename="../views/DatasetFilterBar.cpp" line="+50"/>
        <source>all dataset types (globs, e.g. raw calexp*)</source>
        <translation>tous les types de jeux de données (motifs glob, p. ex. raw calexp*)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dataset types</source>
        <translation>Types de jeux de données</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dataset type names or globs (*, ?, [...]), separated by spaces or commas</source>
        <translation>Noms de types de jeux de données ou motifs glob (*, ?, [...]), séparés par des espaces ou des virgules</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>where, e.g. instrument = &apos;LSSTCam&apos; AND exposure.exposure_time &gt; 20</source>
        <translation>where, p. ex. instrument = &apos;LSSTCam&apos; AND exposure.exposure_time &gt; 20</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Where expression</source>
        <translation>Expression where</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Apply</source>
        <translation>A&amp;ppliquer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Apply filter</source>
        <translation>Appliquer le filtre</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Where expression error</source>
        <translation>Erreur dans l&apos;expression where</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Types:</source>
        <translation>T&amp;ypes&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Where:</source>
        <translation>Condition &amp;where&#xa0;:</translation>
    </message>
</context>
<context>
    <name>butler::DatasetTableModel</name>
    <message>
        <location filename="../model/items/DatasetTableModel.cpp" line="+182"/>
        <source>%1 (storage class %2)</source>
        <translation>%1 (classe de stockage %2)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 bytes</source>
        <translation>%1 octets</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Dataset type</source>
        <translation>Type de jeu de données</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run</source>
        <translation>Run</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>UUID</source>
        <translation>UUID</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Size</source>
        <translation>Taille</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ingest date (UTC)</source>
        <translation>Date d&apos;ingestion (UTC)</translation>
    </message>
</context>
<context>
    <name>butler::DimensionRecordBrowser</name>
    <message>
        <location filename="../views/DimensionRecordBrowser.cpp" line="+57"/>
        <source>Dimension element</source>
        <translation>Élément de dimension</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>where, e.g. exposure.exposure_time &gt; 20</source>
        <translation>where, p. ex. exposure.exposure_time &gt; 20</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dimension record filter</source>
        <translation>Filtre d&apos;enregistrements de dimension</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Element:</source>
        <translation>É&amp;lément&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dimension records</source>
        <translation>Enregistrements de dimension</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Load %1 records</source>
        <translation>Charger les enregistrements de %1</translation>
    </message>
</context>
<context>
    <name>butler::DimensionRecordModel</name>
    <message>
        <location filename="../model/items/DimensionRecordModel.cpp" line="+207"/>
        <source>unknown dimension element &apos;%1&apos;</source>
        <translation>élément de dimension inconnu &apos;%1&apos;</translation>
    </message>
</context>
<context>
    <name>butler::FitsPreviewWidget</name>
    <message>
        <location filename="../views/preview/FitsPreviewWidget.cpp" line="+112"/>
        <source>FITS preview</source>
        <translation>Aperçu FITS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FITS decoding error</source>
        <translation>Erreur de décodage FITS</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stretch</source>
        <translation>Étirement</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How pixel values map to grey levels</source>
        <translation>Correspondance entre les valeurs des pixels et les niveaux de gris</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Stretch:</source>
        <translation>Étire&amp;ment&#xa0;:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Fit</source>
        <translation>Ajuster</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Fit the image to the window</source>
        <translation>Ajuster l&apos;image à la fenêtre</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>+</source>
        <translation>+</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Zoom in</source>
        <translation>Zoom avant</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>-</source>
        <translation>-</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Zoom out</source>
        <translation>Zoom arrière</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1:1</source>
        <translation>1:1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>One screen pixel per image pixel</source>
        <translation>Un pixel d&apos;écran par pixel d&apos;image</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image information</source>
        <translation>Informations sur l&apos;image</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Image view</source>
        <translation>Vue de l&apos;image</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FITS header</source>
        <translation>En-tête FITS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FITS preview pages</source>
        <translation>Pages de l&apos;aperçu FITS</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Image</source>
        <translation>&amp;Image</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Header</source>
        <translation>En-&amp;tête</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+28"/>
        <source>This FITS file holds no 2-D image; its header is in the Header tab.</source>
        <translation>Ce fichier FITS ne contient aucune image 2D&#xa0;; son en-tête se trouve dans l&apos;onglet En-tête.</translation>
    </message>
    <message>
        <location line="-29"/>
        <location line="+40"/>
        <source>No image</source>
        <translation>Aucune image</translation>
    </message>
    <message>
        <location line="-72"/>
        <location line="+118"/>
        <source>Cannot show this FITS file: %1</source>
        <translation>Impossible d&apos;afficher ce fichier FITS&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 x %2, HDU %3, %4%</source>
        <translation>%1 x %2, HDU %3, %4 %</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>x %1, y %2: %3</source>
        <translation>x %1, y %2&#xa0;: %3</translation>
    </message>
</context>
<context>
    <name>butler::ImageCanvas</name>
    <message>
        <location filename="../views/preview/ImageCanvas.cpp" line="+24"/>
        <location line="+7"/>
        <source>Image</source>
        <translation>Image</translation>
    </message>
</context>
<context>
    <name>butler::LoginDialog</name>
    <message>
        <location filename="../views/auth/LoginDialog.cpp" line="+118"/>
        <source>Open a Server</source>
        <translation>Ouvrir un serveur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a server</source>
        <translation>Ouvrir un serveur</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Server URL</source>
        <translation>URL du serveur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>https://butler.example.org</source>
        <translation>https://butler.example.org</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+5"/>
        <location line="+1"/>
        <source>Sign in with the identity provider</source>
        <translation>Se connecter avec le fournisseur d&apos;identité</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Identity provider URL</source>
        <translation>URL du fournisseur d&apos;identité</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>https://login.example.org/realms/astro</source>
        <translation>https://login.example.org/realms/astro</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Client ID</source>
        <translation>ID client</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scopes</source>
        <translation>Portées</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Opens the identity provider&apos;s sign-in page in your web browser</source>
        <translation>Ouvre la page de connexion du fournisseur d&apos;identité dans votre navigateur web</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Identity provider:</source>
        <translation>Fournisseur d&apos;&amp;identité&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;lient ID:</source>
        <translation>ID c&amp;lient&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;copes:</source>
        <translation>&amp;Portées&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Or paste an access token</source>
        <translation>Ou collez un jeton d&apos;accès</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Access token</source>
        <translation>Jeton d&apos;accès</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paste a token</source>
        <translation>Collez un jeton</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Token:</source>
        <translation>&amp;Jeton&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open</source>
        <translation>&amp;Ouvrir</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open</source>
        <translation>Ouvrir</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location line="-23"/>
        <source>&amp;Server:</source>
        <translation>&amp;Serveur&#xa0;:</translation>
    </message>
    <message>
        <location line="-20"/>
        <source>Continue in your web browser. Waiting for the identity provider…</source>
        <translation>Poursuivez dans votre navigateur web. En attente du fournisseur d&apos;identité…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No web browser could be opened. Open this address in one to sign in:</source>
        <translation>Aucun navigateur web n&apos;a pu être ouvert. Ouvrez cette adresse dans un navigateur pour vous connecter&#xa0;:</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Repository:</source>
        <translation>&amp;Dépôt&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repository URL</source>
        <translation>URL du dépôt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>https://butler.example.org/api/butler/repo/main</source>
        <translation>https://butler.example.org/api/butler/repo/main</translation>
    </message>
    <message>
        <location line="+103"/>
        <source>Enter the server&apos;s address first, such as https://butler.example.org.</source>
        <translation>Saisissez d&apos;abord l&apos;adresse du serveur, par exemple https://butler.example.org.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Enter the identity provider&apos;s address and the client ID; the server&apos;s administrator knows them.</source>
        <translation>Saisissez l&apos;adresse du fournisseur d&apos;identité et l&apos;ID client&#xa0;; l&apos;administrateur du serveur les connaît.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Contacting the identity provider…</source>
        <translation>Connexion au fournisseur d&apos;identité…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Signing in failed: %1</source>
        <translation>Échec de la connexion&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Signed in. The token is valid until %1.</source>
        <translation>Connecté. Le jeton est valide jusqu&apos;au %1.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Signed in.</source>
        <translation>Connecté.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Enter the server&apos;s address, such as https://butler.example.org.</source>
        <translation>Saisissez l&apos;adresse du serveur, par exemple https://butler.example.org.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Enter the repository&apos;s address, such as https://butler.example.org/api/butler/repo/main.</source>
        <translation>Saisissez l&apos;adresse du dépôt, par exemple https://butler.example.org/api/butler/repo/main.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Sign in with the identity provider or paste an access token first.</source>
        <translation>Connectez-vous d&apos;abord avec le fournisseur d&apos;identité ou collez un jeton d&apos;accès.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Saving the token…</source>
        <translation>Enregistrement du jeton…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The token could not be saved: %1</source>
        <translation>Le jeton n&apos;a pas pu être enregistré&#xa0;: %1</translation>
    </message>
</context>
<context>
    <name>butler::MainWindow</name>
    <message>
        <location filename="../views/MainWindow.cpp" line="+308"/>
        <source>Datasets</source>
        <translation>Jeux de données</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+6"/>
        <source>Collections</source>
        <translation>Collections</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Collection grouping</source>
        <translation>Regroupement des collections</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All collections</source>
        <translation>Toutes les collections</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>By namespace</source>
        <translation>Par espace de noms</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New…</source>
        <translation>&amp;Nouvelle…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New collection</source>
        <translation>Nouvelle collection</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dimension records</source>
        <translation>Enregistrements de dimension</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+399"/>
        <source>Operations</source>
        <translation>Opérations</translation>
    </message>
    <message>
        <location line="-397"/>
        <source>Signed-in user</source>
        <translation>Utilisateur connecté</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Work in progress</source>
        <translation>Travail en cours</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show background operations</source>
        <translation>Afficher les opérations en arrière-plan</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the background operations</source>
        <translation>Affiche les opérations en arrière-plan</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open &amp;local repository…</source>
        <translation>Ouvrir un dépôt &amp;local…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connect to &amp;server…</source>
        <translation>Se connecter à un &amp;serveur…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Recent repositories</source>
        <translation>Dépôts &amp;récents</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Edit</source>
        <translation>&amp;Édition</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>&amp;Undo</source>
        <translation>&amp;Annuler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Redo</source>
        <translation>&amp;Rétablir</translation>
    </message>
    <message>
        <location line="-59"/>
        <source>&amp;Add selected to tagged collection…</source>
        <translation>A&amp;jouter la sélection à une collection étiquetée…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Re&amp;move selected from collection</source>
        <translation>Re&amp;tirer la sélection de la collection</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Certify…</source>
        <translation>&amp;Certifier…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Preferences…</source>
        <translation>&amp;Préférences…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Collection</source>
        <translation>&amp;Collection</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New collection…</source>
        <translation>&amp;Nouvelle collection…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+5"/>
        <source>&amp;Collections</source>
        <translation>&amp;Collections</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>&amp;Details</source>
        <translation>&amp;Détails</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+6"/>
        <source>Dimension &amp;records</source>
        <translation>&amp;Enregistrements de dimension</translation>
    </message>
    <message>
        <location line="-5"/>
        <location line="+6"/>
        <source>&amp;Operations</source>
        <translation>&amp;Opérations</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>&amp;Go</source>
        <translation>A&amp;ller</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Datasets</source>
        <translation>&amp;Jeux de données</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>D&amp;etails</source>
        <translation>Dé&amp;tails</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Where filter</source>
        <translation>&amp;Filtre where</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Next pane</source>
        <translation>Volet &amp;suivant</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Previous pane</source>
        <translation>Volet &amp;précédent</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>&amp;Undo %1</source>
        <translation>&amp;Annuler %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Redo %1</source>
        <translation>&amp;Rétablir %1</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>No recent repositories</source>
        <translation>Aucun dépôt récent</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Clear the list</source>
        <translation>&amp;Vider la liste</translation>
    </message>
    <message>
        <location line="+24"/>
        <location line="+1"/>
        <source>Opening %1…</source>
        <translation>Ouverture de %1…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot open %1: %2</source>
        <translation>Impossible d&apos;ouvrir %1&#xa0;: %2</translation>
    </message>
    <message>
        <location line="+11"/>
        <location line="+1"/>
        <source>Connecting to %1…</source>
        <translation>Connexion à %1…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot connect to %1: %2</source>
        <translation>Impossible de se connecter à %1&#xa0;: %2</translation>
    </message>
    <message>
        <location line="+134"/>
        <source>Loading the datasets was cancelled.</source>
        <translation>Le chargement des jeux de données a été annulé.</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Load datasets of %1</source>
        <translation>Charger les jeux de données de %1</translation>
    </message>
    <message numerus="yes">
        <location line="+14"/>
        <source>%n dataset(s) shown</source>
        <translation>
            <numerusform>%n jeu de données affiché</numerusform>
            <numerusform>%n jeux de données affichés</numerusform>
        </translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Count datasets in %1</source>
        <translation>Compter les jeux de données de %1</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Count datasets in %n collection(s)</source>
        <translation>
            <numerusform>Compter les jeux de données de %n collection</numerusform>
            <numerusform>Compter les jeux de données de %n collections</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n operation(s) running</source>
        <translation>
            <numerusform>%n opération en cours</numerusform>
            <numerusform>%n opérations en cours</numerusform>
        </translation>
    </message>
    <message>
        <location line="+16"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signed in as %1</source>
        <translation>Connecté en tant que %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No groups</source>
        <translation>Aucun groupe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Groups: %1</source>
        <translation>Groupes&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Administrator</source>
        <translation>Administrateur</translation>
    </message>
    <message>
        <location line="-331"/>
        <source>This server keeps no storage quota.</source>
        <translation>Ce serveur n&apos;applique pas de quota de stockage.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The storage quota is unknown: %1</source>
        <translation>Le quota de stockage est inconnu&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+365"/>
        <source>%1 — Butler</source>
        <translation>%1 — Butler</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Butler</source>
        <translation>Butler</translation>
    </message>
    <message>
        <location line="+85"/>
        <source>Datasets can be removed from TAGGED collections only; &apos;%1&apos; is not one.</source>
        <translation>On ne peut retirer des jeux de données que des collections TAGGED&#xa0;; &apos;%1&apos; n&apos;en est pas une.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Select the datasets to tag first.</source>
        <translation>Sélectionnez d&apos;abord les jeux de données à étiqueter.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Select the datasets to certify first.</source>
        <translation>Sélectionnez d&apos;abord les jeux de données à certifier.</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Open local repository</source>
        <translation>Ouvrir un dépôt local</translation>
    </message>
</context>
<context>
    <name>butler::NewCollectionDialog</name>
    <message>
        <location filename="../views/curation/NewCollectionDialog.cpp" line="+50"/>
        <source>New collection</source>
        <translation>Nouvelle collection</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Collection name</source>
        <translation>Nom de la collection</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Collection type</source>
        <translation>Type de collection</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>TAGGED — a hand-picked set of datasets</source>
        <translation>TAGGED — une sélection manuelle de jeux de données</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CHAINED — a search path of other collections</source>
        <translation>CHAINED — un chemin de recherche composé d&apos;autres collections</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>RUN — where new datasets are written</source>
        <translation>RUN — où sont écrits les nouveaux jeux de données</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CALIBRATION — datasets with validity ranges</source>
        <translation>CALIBRATION — jeux de données avec périodes de validité</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Collection documentation</source>
        <translation>Documentation de la collection</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Create</source>
        <translation>Créer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Name:</source>
        <translation>&amp;Nom&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Type:</source>
        <translation>&amp;Type&#xa0;:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Documentation:</source>
        <translation>&amp;Documentation&#xa0;:</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Give the collection a name.</source>
        <translation>Donnez un nom à la collection.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Names cannot contain spaces or glob characters.</source>
        <translation>Les noms ne peuvent contenir ni espaces ni caractères glob.</translation>
    </message>
</context>
<context>
    <name>butler::OidcLogin</name>
    <message>
        <location filename="../views/auth/OidcLogin.cpp" line="+58"/>
        <source>the identity provider did not answer the token request: %1</source>
        <translation>le fournisseur d&apos;identité n&apos;a pas répondu à la demande de jeton&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>the identity provider answered the token request with HTTP status %1</source>
        <translation>le fournisseur d&apos;identité a répondu à la demande de jeton avec le statut HTTP %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the identity provider did not issue a token: %1</source>
        <translation>le fournisseur d&apos;identité n&apos;a émis aucun jeton&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+46"/>
        <location line="+258"/>
        <source>the sign-in was cancelled</source>
        <translation>la connexion a été annulée</translation>
    </message>
    <message>
        <location line="-253"/>
        <source>the identity provider %1 did not answer: %2</source>
        <translation>le fournisseur d&apos;identité %1 n&apos;a pas répondu&#xa0;: %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the identity provider %1 answered HTTP status %2 for %3; check the issuer address</source>
        <translation>le fournisseur d&apos;identité %1 a répondu avec le statut HTTP %2 pour %3&#xa0;; vérifiez l&apos;adresse de l&apos;émetteur</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 is not an OpenID Connect configuration</source>
        <translation>%1 n&apos;est pas une configuration OpenID Connect</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the identity provider at %1 calls itself &apos;%2&apos;; use that issuer address</source>
        <translation>le fournisseur d&apos;identité à l&apos;adresse %1 se présente comme &apos;%2&apos;&#xa0;; utilisez cette adresse d&apos;émetteur</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the identity provider %1 names no authorization or token endpoint</source>
        <translation>le fournisseur d&apos;identité %1 n&apos;indique aucun point de terminaison d&apos;autorisation ou de jeton</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the identity provider %1 does not support PKCE with S256</source>
        <translation>le fournisseur d&apos;identité %1 ne prend pas en charge PKCE avec S256</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>a sign-in is already in progress</source>
        <translation>une connexion est déjà en cours</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&apos;%1&apos; is not an identity provider address; use http(s)://HOST[/PATH]</source>
        <translation>&apos;%1&apos; n&apos;est pas une adresse de fournisseur d&apos;identité&#xa0;; utilisez http(s)://HOST[/PATH]</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the client ID is empty; ask the server&apos;s administrator for it</source>
        <translation>l&apos;ID client est vide&#xa0;; demandez-le à l&apos;administrateur du serveur</translation>
    </message>
    <message numerus="yes">
        <location line="+13"/>
        <source>the sign-in timed out: no answer within %n second(s)</source>
        <translation>
            <numerusform>la connexion a expiré&#xa0;: aucune réponse en %n seconde</numerusform>
            <numerusform>la connexion a expiré&#xa0;: aucune réponse en %n secondes</numerusform>
        </translation>
    </message>
    <message>
        <location line="+26"/>
        <source>cannot listen on 127.0.0.1 for the identity provider&apos;s answer</source>
        <translation>impossible d&apos;écouter sur 127.0.0.1 pour recevoir la réponse du fournisseur d&apos;identité</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Butler has the identity provider&apos;s answer. You can close this page and go back to Butler.</source>
        <translation>Butler a reçu la réponse du fournisseur d&apos;identité. Vous pouvez fermer cette page et revenir à Butler.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the identity provider&apos;s token answer holds no usable access token</source>
        <translation>la réponse du fournisseur d&apos;identité à la demande de jeton ne contient aucun jeton d&apos;accès utilisable</translation>
    </message>
    <message>
        <location line="+43"/>
        <location line="+38"/>
        <source>the identity provider refused the sign-in: %1</source>
        <translation>le fournisseur d&apos;identité a refusé la connexion&#xa0;: %1</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>the sign-in failed (network authorization error %1)</source>
        <translation>la connexion a échoué (erreur d&apos;autorisation réseau %1)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>the answer that reached Butler does not belong to this sign-in (state mismatch); sign in again</source>
        <translation>la réponse reçue par Butler ne correspond pas à cette connexion (state incohérent)&#xa0;; reconnectez-vous</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>the answer came from %1, not from the identity provider %2; sign in again</source>
        <translation>la réponse provient de %1 et non du fournisseur d&apos;identité %2&#xa0;; reconnectez-vous</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>the sign-in was denied: %1</source>
        <translation>la connexion a été refusée&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the identity provider sent no authorization code</source>
        <translation>le fournisseur d&apos;identité n&apos;a envoyé aucun code d&apos;autorisation</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>the identity provider issued no access token</source>
        <translation>le fournisseur d&apos;identité n&apos;a émis aucun jeton d&apos;accès</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the identity provider issued a &apos;%1&apos; token; Butler needs a bearer token</source>
        <translation>le fournisseur d&apos;identité a émis un jeton &apos;%1&apos;&#xa0;; Butler a besoin d&apos;un jeton bearer</translation>
    </message>
</context>
<context>
    <name>butler::OperationsModel</name>
    <message>
        <location filename="../views/OperationsModel.cpp" line="+204"/>
        <source>Running</source>
        <translation>En cours</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancelling…</source>
        <translation>Annulation…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Done</source>
        <translation>Terminée</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed</source>
        <translation>Échouée</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancelled</source>
        <translation>Annulée</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>%1, started %2</source>
        <translation>Démarrée le %2&#xa0;: %1</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Operation</source>
        <translation>Opération</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Progress</source>
        <translation>Progression</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>State</source>
        <translation>État</translation>
    </message>
</context>
<context>
    <name>butler::OperationsPanel</name>
    <message>
        <location filename="../views/OperationsPanel.cpp" line="+109"/>
        <source>Background operations</source>
        <translation>Opérations en arrière-plan</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Operations</source>
        <translation>Opérations</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Cancel operation</source>
        <translation>&amp;Annuler l&apos;opération</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel the selected operation</source>
        <translation>Annuler l&apos;opération sélectionnée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel a&amp;ll</source>
        <translation>&amp;Tout annuler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel all operations</source>
        <translation>Annuler toutes les opérations</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear &amp;finished</source>
        <translation>&amp;Effacer les terminées</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear finished operations</source>
        <translation>Effacer les opérations terminées</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel operation</source>
        <translation>Annuler l&apos;opération</translation>
    </message>
</context>
<context>
    <name>butler::PreviewPanel</name>
    <message>
        <location filename="../views/preview/PreviewPanel.cpp" line="+47"/>
        <source>Preview</source>
        <translation>Aperçu</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Select a dataset to preview it.</source>
        <translation>Sélectionnez un jeu de données pour en afficher un aperçu.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No preview</source>
        <translation>Pas d&apos;aperçu</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No preview available</source>
        <translation>Aucun aperçu disponible</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No preview for this file.</source>
        <translation>Pas d&apos;aperçu pour ce fichier.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No preview for %1 files.</source>
        <translation>Pas d&apos;aperçu pour les fichiers %1.</translation>
    </message>
</context>
<context>
    <name>butler::QuotaBar</name>
    <message>
        <location filename="../views/QuotaBar.cpp" line="+24"/>
        <location line="+33"/>
        <source>Storage quota</source>
        <translation>Quota de stockage</translation>
    </message>
    <message>
        <location line="-16"/>
        <source>%1 of %2 used</source>
        <translation>%1 sur %2 utilisés</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Storage quota of %1
Used: %2
Reserved by uploads in progress: %3
Limit: %4%5
Available: %6</source>
        <translation>Quota de stockage de %1
Utilisé&#xa0;: %2
Réservé par les envois en cours&#xa0;: %3
Limite&#xa0;: %4%5
Disponible&#xa0;: %6</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> (the server&apos;s default)</source>
        <translation> (la valeur par défaut du serveur)</translation>
    </message>
</context>
<context>
    <name>butler::SettingsDialog</name>
    <message>
        <location filename="../views/SettingsDialog.cpp" line="+57"/>
        <location line="+1"/>
        <source>Preferences</source>
        <translation>Préférences</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Language note</source>
        <translation>Remarque sur la langue</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Share sign-ins with the butler command line</source>
        <translation>&amp;Partager les connexions avec la ligne de commande butler</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share sign-ins with the butler command line</source>
        <translation>Partager les connexions avec la ligne de commande butler</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Also keeps the access tokens in %1, where &apos;butler login&apos; keeps them, so that signing in here or there works in both</source>
        <translation>Conserve aussi les jetons d&apos;accès dans %1, là où &apos;butler login&apos; les conserve, pour qu&apos;une connexion ici ou là-bas serve aux deux</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Butler switches to the new language when you confirm.</source>
        <translation>Butler passera à la nouvelle langue dès que vous aurez confirmé.</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>&amp;Language:</source>
        <translation>&amp;Langue&#xa0;:</translation>
    </message>
</context>
<context>
    <name>butler::SkyPlotWidget</name>
    <message>
        <location filename="../views/preview/SkyPlotWidget.cpp" line="+115"/>
        <location line="+10"/>
        <source>Sky plot</source>
        <translation>Carte du ciel</translation>
    </message>
    <message>
        <location line="-9"/>
        <location line="+10"/>
        <source>Pointings in right ascension and declination</source>
        <translation>Pointages en ascension droite et déclinaison</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>exposure</source>
        <translation>exposition</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>visit</source>
        <translation>visite</translation>
    </message>
    <message>
        <location line="+176"/>
        <source>%1
RA %2°, Dec %3°</source>
        <translation>%1
AD %2°, Déc %3°</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>No pointings to show</source>
        <translation>Aucun pointage à afficher</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>RA (deg, increasing to the left)</source>
        <translation>AD (degrés, croissante vers la gauche)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Dec (deg)</source>
        <translation>Déc (degrés)</translation>
    </message>
</context>
<context>
    <name>butler::TagDialog</name>
    <message>
        <location filename="../views/curation/TagDialog.cpp" line="+78"/>
        <location line="+1"/>
        <source>Add to a tagged collection</source>
        <translation>Ajouter à une collection étiquetée</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Add %n selected dataset(s) to:</source>
        <translation>
            <numerusform>Ajouter %n jeu de données sélectionné à&#xa0;:</numerusform>
            <numerusform>Ajouter %n jeux de données sélectionnés à&#xa0;:</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tagged collection</source>
        <translation>Collection étiquetée</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hint</source>
        <translation>Indication</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Add</source>
        <translation>&amp;Ajouter</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add to collection</source>
        <translation>Ajouter à la collection</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Collection:</source>
        <translation>&amp;Collection&#xa0;:</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Choose or type the name of a TAGGED collection.</source>
        <translation>Choisissez ou saisissez le nom d&apos;une collection TAGGED.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&apos;%1&apos; is not a TAGGED collection you may write; the server will say if it can take the datasets.</source>
        <translation>&apos;%1&apos; n&apos;est pas une collection TAGGED où vous pouvez écrire&#xa0;; le serveur dira s&apos;il peut recevoir les jeux de données.</translation>
    </message>
</context>
<context>
    <name>butler::TextPreviewWidget</name>
    <message>
        <location filename="../views/preview/TextPreviewWidget.cpp" line="+54"/>
        <source>Text preview</source>
        <translation>Aperçu du texte</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preview note</source>
        <translation>Note sur l&apos;aperçu</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File contents</source>
        <translation>Contenu du fichier</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>%1 at byte %2</source>
        <translation>%1 à l&apos;octet %2</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Showing the first %1 of %2.</source>
        <translation>Affichage des %1 premiers sur %2.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not valid JSON (%1); shown as it is.</source>
        <translation>JSON non valide (%1)&#xa0;; affiché tel quel.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/butler-browser/main.cpp" line="+27"/>
        <source>Browse and curate Butler data repositories.</source>
        <translation>Parcourir et organiser les dépôts de données Butler.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A local repository folder or a server URL.</source>
        <translation>Un dossier de dépôt local ou l&apos;URL d&apos;un serveur.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Read the server&apos;s access token from FILE.</source>
        <translation>Lire le jeton d&apos;accès du serveur depuis FILE.</translation>
    </message>
</context>
</TS>
